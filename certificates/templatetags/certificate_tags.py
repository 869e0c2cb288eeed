from django import template
from django.urls import reverse

from events.models import Event

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
        if certificate_available(registration):
            slug = registration.event.slug
            if token:
                url = reverse("certificates:guest-certificate-download", args=[slug, token])
            elif registration.user_id is not None:
                url = reverse("certificates:certificate-download", args=[slug])
    return {
        "certificate_url": url,
        "compact": compact,
        "event": registration.event if registration is not None else None,
    }
