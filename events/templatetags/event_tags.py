from django import template

from events.calendar import add_to_calendar_links, webcal_url
from events.formatting import format_date, format_datetime, format_time, format_when
from events.joining import calendar_online_link
from events.models import Registration
from events.selectors import places_left, places_left_by_mode

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


_TAG_COLOURS = {
    "confirmed": "govuk-tag--green",
    "waitlisted": "govuk-tag--yellow",
    "cancelled": "govuk-tag--red",
    "attended": "govuk-tag--blue",
    "no_show": "govuk-tag--grey",
}


@register.inclusion_tag("events/includes/registration_tag.html")
def registration_tag(status: str):
    """A GOV.UK tag for a registration status: {% registration_tag registration.status %}."""
    return {"label": Registration.Status(status).label, "colour": _TAG_COLOURS[status]}


@register.filter
def places_text(event, has_place=False) -> str:
    """ "12 places left of 40", "Full: you can join the waiting list" or "No limit", for an event
    with counts (for a hybrid session, in person and online each). Someone who already has a
    place (`has_place`) is not offered the waiting list."""
    if event.is_hybrid:
        parts = []
        for mode, left in places_left_by_mode(event).items():
            capacity = event.capacity_for(mode)
            name = Registration.Mode(mode).label
            if left is None:
                parts.append(f"{name}: no limit")
            elif left == 0:
                parts.append(f"{name}: full" if has_place else f"{name}: full, waiting list open")
            else:
                parts.append(f"{name}: {left} place{'s' if left != 1 else ''} left of {capacity}")
        return "; ".join(parts)
    left = places_left(event)
    if left is None:
        return "No limit"
    if left == 0:
        return "Full" if has_place else "Full: you can join the waiting list"
    return f"{left} place{'s' if left != 1 else ''} left of {event.capacity}"


@register.filter
def where(event) -> str:
    """ "Camden Town Hall, or online", "Online" or the address."""
    if event.venue and event.online_url:
        return f"{event.venue}, or online"
    return event.venue or ("Online" if event.online_url else "To be confirmed")


@register.filter
def audience_text(event) -> str:
    if event.audience == event.Audience.NETWORK_MEMBERS and event.network_id:
        return f"Members of {event.network.name}"
    if event.audience == event.Audience.BOROUGH_STAFF:
        return "London borough staff only"
    return event.get_audience_display()


@register.inclusion_tag("events/includes/add_to_calendar.html")
def add_to_calendar(event, registration=None):
    """Outlook, Google Calendar and .ics links for an event, with the person's own joining
    address if they have a place to join online: {% add_to_calendar event registration %}."""
    online_link = calendar_online_link(registration, event)
    return {"event": event, "links": add_to_calendar_links(event, online_link=online_link)}


@register.filter
def webcal(url: str) -> str:
    """{{ feed_url|webcal }}: the subscription address calendar apps open directly."""
    return webcal_url(url) if url else ""
