import hashlib

from django.conf import settings


def absolute_url(path: str) -> str:
    """An absolute URL on this portal for a path, for emails and calendar files."""
    return f"{settings.SITE_URL}{path}"


def content_digest(*values) -> str:
    """A short, fixed-length digest of any values, for a cache key (see public_cache.public_key)."""
    return hashlib.sha256(repr(values).encode()).hexdigest()
