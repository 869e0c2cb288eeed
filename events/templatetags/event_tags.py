from django import template

from events import cards
from events.calendar import webcal_url
from events.detail_page import about_html, add_to_calendar_html, speakers_html
from events.formatting import format_date, format_datetime, format_time, format_when
from events.models import Registration
from events.selectors_detail import event_speakers_rows

register = template.Library()


@register.filter
def when(event) -> str:
    """{{ event|when }}: "Friday 11 December 2026, 10:00am to 12:00pm", in London time."""
    return format_when(event.start, event.end)


@register.filter
def london_date(moment) -> str:
    return format_date(moment) if moment else ""


@register.filter
def london_time(moment) -> str:
    return format_time(moment) if moment else ""


@register.filter
def london_datetime(moment) -> str:
    return format_datetime(moment) if moment else ""


@register.inclusion_tag("events/includes/registration_tag.html")
def registration_tag(status: str):
    """A GOV.UK tag for a registration status: {% registration_tag registration.status %}."""
    return {"label": Registration.Status(status).label, "colour": cards.TAG_COLOURS[status]}


@register.filter
def places_text(event, has_place=False) -> str:
    """ "12 places left of 40", "Full: you can join the waiting list" or "No limit" (see
    events.cards.places_text)."""
    return cards.places_text(event, has_place)


@register.filter
def where(event) -> str:
    """ "Camden Town Hall, or online", "Online" or the address."""
    return cards.where_text(event)


@register.filter
def audience_text(event) -> str:
    return cards.audience_text(event)


@register.simple_tag
def event_cards(events, past=False, live=False):
    """{% event_cards page.object_list past live=True %}: the events list's cards (events.cards), with
    `live`, their tags and places left as live parts of a kept page."""
    return cards.event_cards(events, past=past, live=live)


@register.simple_tag
def my_upcoming_cards(registrations):
    """{% my_upcoming_cards upcoming %}: the person's upcoming registrations on "Your events"."""
    return cards.my_upcoming_cards(registrations)


@register.simple_tag
def public_session_cards(events):
    """{% public_session_cards open_to_everyone %}: the sessions open to everyone, as cards."""
    return cards.public_session_cards(events)


@register.simple_tag
def add_to_calendar(event, registration=None):
    """Outlook, Google Calendar and .ics links for an event, with the person's own joining
    address if they have a place to join online: {% add_to_calendar event registration %}
    (events.detail_page.add_to_calendar_html)."""
    return add_to_calendar_html(event, registration)


@register.simple_tag
def event_about(event):
    """{% event_about event %}: the start of an event page's "about" part, its description."""
    return about_html(event)


@register.simple_tag
def event_speaker_list(event):
    """{% event_speaker_list event %}: the end of an event page's "about" part, its speakers (one
    query, only when the part is drawn rather than kept)."""
    return speakers_html(event_speakers_rows(event=event))


@register.filter
def webcal(url: str) -> str:
    """{{ feed_url|webcal }}: the subscription address calendar apps open directly."""
    return webcal_url(url) if url else ""
