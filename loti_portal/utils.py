import hashlib
import ipaddress
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

# Every time shown to a person, and every meeting's wall-clock time, is in London time.
LONDON = ZoneInfo(settings.TIME_ZONE)


def absolute_url(path: str) -> str:
    """An absolute URL on this portal for a path, for emails and calendar files."""
    return f"{settings.SITE_URL}{path}"


def address_by_slug(url_name: str) -> Callable[[str], str]:
    """A function giving the address of `url_name` for a slug, reversing the URL once rather than
    once for every item of a list."""
    placeholder = "slug-placeholder"
    before, after = reverse(url_name, args=[placeholder]).split(placeholder)
    return lambda slug: f"{before}{slug}{after}"


def content_digest(*values) -> str:
    """A short, fixed-length digest of any values, for a cache or rate-limit key."""
    return hashlib.sha256(repr(values).encode()).hexdigest()


def client_ip(request) -> str:
    """The address of the person's browser, for per-address rate limits.

    Behind TRUSTED_PROXY_COUNT reverse proxies that each append to X-Forwarded-For, it is the
    entry that many places from the right: the one the outermost trusted proxy saw. Entries to
    its left were sent by the browser and prove nothing. With no trusted proxy (the default), or
    a header shorter than the chain (a request that did not come through it), REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count]))
            except ValueError:
                pass
    return remote or "unknown"
