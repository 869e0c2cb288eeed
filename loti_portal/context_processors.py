from functools import lru_cache, partial

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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
    "engagement": "engagement:dashboard",
    "sign_in": "account_login",
    "sign_out": "account_logout",
    "accessibility": "accessibility",
    "privacy": "privacy",
    # The footer's newsletter sign-up (newsletter/includes/footer_signup.html): a form for someone
    # signed out; for someone signed in, a link to the newsletter's page, which says whether they
    # are subscribed and has the one button. A form on every page would need a CSRF token on every
    # page, which costs each of them more than the rest of the footer.
    "newsletter_subscribe": "newsletter:subscribe",
    "newsletter": "newsletter:newsletter",
}
_LAYOUT_STATIC = {
    "favicon": "images/favicon.svg",
    "css": "govuk/govuk-frontend.min.css",
    "js": "js/init.js",
}


@lru_cache(maxsize=1)
def _layout() -> dict:
    # Escaped once here and marked safe, so that the template does not escape them on every page.
    layout = {key: _safe(reverse(url_name)) for key, url_name in _LAYOUT_URLS.items()}
    layout["static"] = {key: _safe(static(path)) for key, path in _LAYOUT_STATIC.items()}
    return layout


def _safe(text: str) -> SafeString:
    return mark_safe(escape(text))  # noqa: S308 (escaped)


# --- the header's navigation ----------------------------------------------------------------
# Drawn here rather than in base.html: it is the same few links on every page, and a dozen
# template conditions for each of them cost more than the rest of the layout.


def _items(*, signed_in: bool, staff: bool) -> list[tuple[str, str, str]]:
    """(label, URL, how it is current) of each link in the header, in order: "exact" when it is
    the page's own address, "prefix" when the page is in its section, "" never."""
    layout = _layout()
    items = [("Home", layout["home"], "exact")]
    items += [(label, url, "prefix") for label, url in _sections()]
    if not signed_in:
        return [*items, ("Sign in", layout["sign_in"], "exact")]
    items.append(("Your account", layout["account"], "exact"))
    if staff:
        items += [("Engagement", layout["engagement"], "exact"), ("Staff admin", layout["admin"], "")]
    return [*items, ("Sign out", layout["sign_out"], "")]


_SERVICE_NAME = mark_safe("LOTI Network Portal")
_INDENT = " " * 12  # as deep as the list in base.html


@lru_cache(maxsize=64)
def _navigation(signed_in: bool, staff: bool, current: tuple[bool, ...]) -> SafeString:
    lines = []
    for (label, url, _), is_current in zip(_items(signed_in=signed_in, staff=staff), current, strict=True):
        active = " govuk-service-navigation__item--active" if is_current else ""
        aria = ' aria-current="page"' if is_current else ""
        link = f'<a class="govuk-service-navigation__link" href="{escape(url)}"{aria}>{escape(label)}</a>'
        item = f'<li class="govuk-service-navigation__item{active}">'
        lines.append(f"{item}\n{_INDENT}  {link}\n{_INDENT}</li>")
    return mark_safe(f"\n{_INDENT}".join(lines))  # noqa: S308 (fixed labels and reversed URLs, escaped)


def navigation(path: str = "", user=None) -> SafeString:
    """The header's links for a person (None: nobody signed in) on the page at `path`, the
    current one marked for sight (govuk-service-navigation__item--active) and for screen readers
    (aria-current)."""
    signed_in = user is not None and user.is_authenticated
    staff = signed_in and user.is_staff
    items = _items(signed_in=signed_in, staff=staff)
    current = tuple(
        path == url if how == "exact" else how == "prefix" and path.startswith(url) for _, url, how in items
    )
    return _navigation(signed_in, staff, current)


# --- the layout's parts that are the same on every page ----------------------------------------
# Drawn from their templates (templates/layout/) once per process and address of the networks
# team, not on every page: the page head's links, the header, the phase banner and, for someone
# signed in, the footer. Someone signed out has the footer drawn with each page, since its sign-up
# form carries the request's CSRF token. With DEBUG on they are drawn afresh, so that an edit to
# them shows at once in `make run`.
_PARTS = ("head", "header", "phase_banner")


@lru_cache(maxsize=8)
def _contact_email(address: str) -> SafeString:
    return _safe(address)


@lru_cache(maxsize=8)
def _layout_parts(contact_email: str) -> dict[str, SafeString]:
    context = {
        "SERVICE_NAME": _SERVICE_NAME,
        "CONTACT_EMAIL": _contact_email(contact_email),
        "LAYOUT": _layout(),
    }
    parts = {name: _drawn(f"layout/{name}.html", context) for name in _PARTS}
    parts["footer_signed_in"] = _drawn("layout/footer.html", {**context, "signed_in": True})
    return parts


def _drawn(template_name: str, context: dict) -> SafeString:
    # base.html gives each part its first line's indentation and the line's end.
    return mark_safe(render_to_string(template_name, context).strip())  # noqa: S308 (a template's output)


def layout_context() -> dict:
    """What the layout needs on every page, request or not (the error pages use it alone)."""
    parts = _layout_parts.__wrapped__ if settings.DEBUG else _layout_parts
    return {
        "SERVICE_NAME": _SERVICE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": _contact_email(settings.CONTACT_EMAIL),
        "LAYOUT": _layout(),
        "LAYOUT_PARTS": parts(settings.CONTACT_EMAIL),
        "HEADER_NAVIGATION": navigation,
    }


def portal(request):
    sections = [
        {"label": label, "url": url, "active": request.path.startswith(url)} for label, url in _sections()
    ]
    return {
        **layout_context(),
        # The main sections, for pages that offer them (the home page).
        "NAVIGATION": sections,
        # A callable, which the template calls only where it draws the header (admin never does),
        # so a page that does not show it never loads the person for it.
        "HEADER_NAVIGATION": partial(navigation, request.path, getattr(request, "user", None)),
    }
