import hashlib

from django.conf import settings


def absolute_url(path: str) -> str:
    """An absolute URL on this portal for a path, for emails and calendar files."""
    return f"{settings.SITE_URL}{path}"


def content_digest(*values) -> str:
    """A digest of everything a cached fragment of a page shows, to cache it under.

    Such a fragment is a function of its key alone, so it is never stale and never shows one
    person what another may not see: when anything it shows changes, the key changes with it.
    """
    return hashlib.sha256(repr(values).encode()).hexdigest()
