from html import escape

from django import template
from django.urls import reverse

from events.cards_personal import my_past_rows
from events.models import Event
from loti_portal.utils import absolute_url

from ..selectors import certificate_available

register = template.Library()


@register.inclusion_tag("certificates/includes/download.html", takes_context=True)
def certificate_download(context, registration, token=""):
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
        "event": registration.event if registration is not None else None,
    }


# "Download your certificate" in a row of "Your events" past events (the full block, on an
# event's page, is certificates/includes/download.html). After the template include it replaced,
# which ended in a new line whether there was a certificate or not.
COMPACT_DOWNLOAD = (
    '\n<br><a class="govuk-link" href="{url}" download>Download your certificate'
    '<span class="govuk-visually-hidden"> for {title}</span> (PDF)</a>\n'
    '<br><a class="govuk-link" href="{check}">Check a certificate’s code</a>\n\n'
)


@register.simple_tag(takes_context=True)
def past_event_rows(context, registrations):
    """{% past_event_rows past %}: the rows of "Your events" past events (events.cards_personal),
    each with the person's certificate to download when they have one (the one rule:
    certificate_available)."""
    check = reverse("certificates:certificate-check")
    user = context.get("user")

    def download(registration) -> str:
        if user is not None and registration.user_id == user.pk:
            registration.user = user  # the person signed in: no query for their name
        url = _download_path(registration, "")
        if not url:
            return "\n"
        return COMPACT_DOWNLOAD.format(url=escape(url), title=escape(registration.event.title), check=check)

    return my_past_rows(registrations, after_title=download)


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
