"""What every visitor sees alike (the events list, an event's or a network's page, member counts),
kept in the cache under one version number.

Pages read such data once and cache it under a key that carries the current version. Every
service that changes events, registrations, networks or memberships calls `public_changed()` in
its transaction, and saving or deleting any of those rows (or an organisation) does too, however
it is done (`changes_raise_version`): the version rises, a page read after a change never sees
what was cached before it, and nothing has to know which keys to delete. Entries expire after
PUBLIC_CACHE_SECONDS, which bounds the cache's size and covers changes that save no such row
(such as a lead renaming themselves).

Each process also keeps what it read in memory (`_local`), under the same versioned key and until
the same moment it expires in the shared cache: a page then reads only the version from the
shared cache, and nothing is unpickled. Values from public_get are shared by every request of the
process, so callers never change them: they copy what they make personal (`personal_copy`).

What one person's pages show of their own standing (which events they registered for, which
networks they belong to) is kept the same way by `person_get`, in the process's memory only and
under the same version, so it is never shared between people or processes and never outlives a
change.
"""

import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .utils import content_digest

PUBLIC_CACHE_SECONDS = 60
LOCAL_MAX_ENTRIES = 2000
_VERSION_KEY = "public:version"


class _LocalCache:
    """A bounded, least-recently-used map of key -> (expires_at, value), safe between threads."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            if entry[0] <= time.time():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key, value, expires_at: float) -> None:
        with self._lock:
            self._entries[key] = (expires_at, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_local = _LocalCache(LOCAL_MAX_ENTRIES)


# Within one request the version is read once (a page reads several public things).
_request = threading.local()


def _request_began(**kwargs):
    _request.active, _request.version = True, None


def _request_ended(**kwargs):
    _request.active, _request.version = False, None


request_started.connect(_request_began, dispatch_uid="public_cache_request_started")
request_finished.connect(_request_ended, dispatch_uid="public_cache_request_finished")


def public_version() -> int:
    version = getattr(_request, "version", None)
    if version is not None:
        return version
    version = cache.get(_VERSION_KEY)
    if version is None:
        # Evicted, or never set: start from a number no earlier version used.
        cache.add(_VERSION_KEY, time.time_ns(), None)
        # With the cache unavailable, a version never used before: nothing kept in memory is
        # served while changes cannot raise the shared version.
        version = cache.get(_VERSION_KEY) or time.time_ns()
    if getattr(_request, "active", False):
        _request.version = version
    return version


def public_changed() -> None:
    """Call inside the transaction of any change to what public_get caches.

    Raises the version now, and again once the transaction commits: a page read in between may
    have cached what it read before the commit, under the version of that moment. (A cache that
    fails after the commit is logged, not raised: the change is made, and what was cached expires.)
    """

    def raise_version():
        _request.version = None
        try:
            cache.incr(_VERSION_KEY)
        except ValueError:  # not in the cache: any new number will do
            cache.set(_VERSION_KEY, time.time_ns(), None)

    raise_version()
    transaction.on_commit(raise_version, robust=True)


def _saved_or_deleted(sender, **kwargs):
    public_changed()


def changes_raise_version(*models) -> None:
    """Raise the version whenever a row of one of these models is saved or deleted, however it
    happens (a service, an admin form or inline, a management command), not only in services."""
    for model in models:
        label = model._meta.label
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"public_cache.saved.{label}")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"public_cache.deleted.{label}")


def public_key(name: str, *values) -> str:
    return f"public:{name}:{public_version()}:{content_digest(*values)}"


_MISSING = object()


def public_get(name: str, *values, read):
    """The cached value for (name, *values) at the current version, else `read()` cached.

    The value is shared with other requests of this process: never change it (see personal_copy).
    """
    key = public_key(name, *values)
    value = _local.get(key, _MISSING)
    if value is not _MISSING:
        return value
    entry = cache.get(key, _MISSING)
    if entry is _MISSING or entry[0] <= time.time():
        entry = (time.time() + PUBLIC_CACHE_SECONDS, read())
        cache.set(key, entry, PUBLIC_CACHE_SECONDS)
    _local.set(key, entry[1], entry[0])
    return entry[1]


def person_get(user, name: str, *, read):
    """What one person's own pages show of their standing (their registrations, memberships):
    `read()`, kept only in this process's memory under the public version, which every change to
    registrations and memberships raises, and for at most PUBLIC_CACHE_SECONDS."""
    key = f"person:{user.pk}:{name}:{public_version()}"
    value = _local.get(key, _MISSING)
    if value is _MISSING:
        value = read()
        _local.set(key, value, time.time() + PUBLIC_CACHE_SECONDS)
    return value


def personal_copy(obj):
    """A copy of a model instance from public_get that one request may annotate for its person.

    Shallow: related objects and the instance's state are shared, and stay unchanged.
    """
    copied = obj.__class__.__new__(obj.__class__)
    copied.__dict__ = obj.__dict__.copy()
    return copied


def forget_local() -> None:
    """Drop what this process keeps in memory (tests that clear the shared cache call this)."""
    _local.clear()
