"""What every visitor sees alike (the events list, an event's or a network's page, member counts),
kept in the cache under one version number.

Pages read such data once and cache it under a key that carries the current version. Every
service that changes events, registrations, networks or memberships calls `public_changed()` in
its transaction, which raises the version: a page read after a change never sees what was cached
before it, and nothing has to know which keys to delete. Entries expire after
PUBLIC_CACHE_SECONDS, which bounds the cache's size and covers changes made some other way (such
as deleting an event in admin, or a lead renaming themselves). What differs from person to person
is never cached here; pages read it afresh.
"""

import threading
import time

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

from .utils import content_digest

PUBLIC_CACHE_SECONDS = 60
_VERSION_KEY = "public:version"


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
        version = cache.get(_VERSION_KEY, 0)
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


def public_key(name: str, *values) -> str:
    return f"public:{name}:{public_version()}:{content_digest(*values)}"


_MISSING = object()


def public_get(name: str, *values, read):
    """The cached value for (name, *values) at the current version, else `read()` cached."""
    key = public_key(name, *values)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = read()
        cache.set(key, value, PUBLIC_CACHE_SECONDS)
    return value
