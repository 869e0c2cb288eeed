from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse

# The main sections, in the order they appear in the header; an app whose URLs are not
# installed simply does not appear.
_SECTIONS = [("Networks", "networks:network-list"), ("Events", "events:event-list")]


@lru_cache(maxsize=1)
def _sections() -> list[tuple[str, str]]:
    """(label, URL) of each installed section; the URLs are fixed once the process has started."""
    sections = []
    for label, url_name in _SECTIONS:
        try:
            sections.append((label, reverse(url_name)))
        except NoReverseMatch:
            continue
    return sections


def portal(request):
    navigation = [
        {"label": label, "url": url, "active": request.path.startswith(url)} for label, url in _sections()
    ]
    return {
        "SERVICE_NAME": "LOTI Network Portal",
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": settings.STAFF_NOTIFICATION_EMAIL,
        "NAVIGATION": navigation,
    }
