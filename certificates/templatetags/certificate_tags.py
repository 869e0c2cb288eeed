from django import template
from django.urls import reverse

from events.models import Event
from loti_portal.utils import absolute_url

from ..selectors import certificate_available

register = template.Library()


@register.inclusion_tag("certificates/includes/download.html", takes_context=True)
def certificate_download(context, registration, token="", compact=False):
    """ "Download your certificate" for the person's own registration, when they have one (the
    one rule: certificates.selectors.certificate_refusal_reason). `token`: a guest's
    "your registration" link, which their download uses instead of signing in."""
    url = ""
    if registration is not None:
        user, event = context.get("user"), context.get("event")
        if user is not None and registration.user_id is not None and registration.user_id == user.pk:
            registration.user = user  # the person signed in: no query for their name
        if isinstance(event, Event) and event.pk == registration.event_id:
            registration.event = event  # the page's own event: no query for it
        url = _download_path(registration, token)
    return {
        "certificate_url": url,
        "compact": compact,
        "event": registration.event if registration is not None else None,
    }


@register.simple_tag
def certificate_link(registration, token=""):
    """The full address (for emails) of the person's certificate, or "" when they have none; a
    guest's is signed with their "your registration" token, like the one their page offers."""
    path = _download_path(registration, token) if registration is not None else ""
    return absolute_url(path) if path else ""


@register.simple_tag
def certificate_check_link():
    """The full address of the page where anyone checks a certificate's code."""
    return absolute_url(reverse("certificates:certificate-check"))


def _download_path(registration, token: str) -> str:
    if not certificate_available(registration):
        return ""
    slug = registration.event.slug
    if token:
        return reverse("certificates:guest-certificate-download", args=[slug, token])
    if registration.user_id is not None:
        return reverse("certificates:certificate-download", args=[slug])
    return ""
