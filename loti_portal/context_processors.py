from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
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


# The layout's own links, reversed once per process: base.html shows them on every page.
_LAYOUT_URLS = {
    "home": "home",
    "account": "accounts:profile-detail",
    "admin": "admin:index",
    "sign_in": "account_login",
    "sign_out": "account_logout",
    "accessibility": "accessibility",
    "privacy": "privacy",
}
_LAYOUT_STATIC = {
    "favicon": "images/favicon.svg",
    "css": "govuk/govuk-frontend.min.css",
    "js": "js/init.js",
}


@lru_cache(maxsize=1)
def _layout() -> dict:
    layout = {key: reverse(url_name) for key, url_name in _LAYOUT_URLS.items()}
    layout["static"] = {key: static(path) for key, path in _LAYOUT_STATIC.items()}
    return layout


def layout_context() -> dict:
    """What the layout needs on every page, request or not (the error pages use it alone)."""
    return {
        "SERVICE_NAME": "LOTI Network Portal",
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "LAYOUT": _layout(),
    }


def portal(request):
    navigation = [
        {"label": label, "url": url, "active": request.path.startswith(url)} for label, url in _sections()
    ]
    return {**layout_context(), "NAVIGATION": navigation}
