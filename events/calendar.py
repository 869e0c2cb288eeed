"""RFC 5545 calendar files.

Invitations attached to emails (METHOD:REQUEST, and METHOD:CANCEL when a place or the event is
cancelled), one event to add to a calendar, and subscribable feeds (METHOD:PUBLISH). Every event
keeps one UID for life; its SEQUENCE rises with each change, so calendars replace the old copy.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import NamedTuple
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from loti_portal.utils import absolute_url

from .formatting import format_when, in_london
from .guest_links import registrant_person
from .joining import calendar_online_link
from .models import Event, Registration

PRODID = "-//London Office of Technology and Innovation//LOTI Network Portal//EN"
ORGANISER_NAME = "LOTI Network Portal"
CONTENT_TYPE = "text/calendar; charset=utf-8"


class CalendarEntry(NamedTuple):
    """One event in a calendar file, as one person (or the public) may see it."""

    event: Event
    sequence: int
    # The person's own joining address (joining.calendar_online_link), or "" for none.
    online_link: str = ""
    tentative: bool = False


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname}"


def attendee_sequence(registration: Registration) -> int:
    """The SEQUENCE in one registrant's files: the event's changes plus their own."""
    return registration.event.sequence + registration.sequence


def invitation_ics(*, registration: Registration, method: str) -> bytes:
    """A REQUEST (place confirmed, or the event changed) or CANCEL for one registrant."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"Unknown invitation method {method!r}")
    entry = CalendarEntry(
        event=registration.event,
        sequence=attendee_sequence(registration),
        online_link=calendar_online_link(registration, registration.event) if method == "REQUEST" else "",
    )
    component = _event_component(
        entry, cancelled=method == "CANCEL", attendee=registrant_person(registration)
    )
    return _calendar([component], method=method)


def reminder_ics(
    *, event: Event, user, registration: Registration | None, shared: dict | None = None
) -> bytes:
    """The invitation attached to a reminder: the registrant's own, or a member's for a meeting.

    Only the attendee (and, online, their own joining address) differs between the people
    reminded of one event, so the rest of the file is serialised once per event, SEQUENCE and
    joining address and kept in `shared` (a dict that one batch of reminders passes to every call).
    """
    sequence = attendee_sequence(registration) if registration is not None else event.sequence
    online_link = calendar_online_link(registration, event)
    shared = {} if shared is None else shared
    key = (event.pk, sequence, online_link)
    if key not in shared:
        entry = CalendarEntry(event=event, sequence=sequence, online_link=online_link)
        shared[key] = _calendar([_event_component(entry)], method="REQUEST")
    return _with_attendee(shared[key], attendee=user, cancelled=event.status == Event.Status.CANCELLED)


def event_ics(*, event: Event, online_link: str = "") -> bytes:
    """One event to add to a calendar by hand; `online_link` is the person's own joining address
    (joining.calendar_online_link)."""
    entry = CalendarEntry(event=event, sequence=event.sequence, online_link=online_link)
    return _calendar([_event_component(entry)], method="PUBLISH")


def feed_ics(*, name: str, entries: Iterable[CalendarEntry], others: Iterable[icalendar.Event] = ()) -> bytes:
    """A calendar that Outlook or Google subscribe to and refresh: the entries' events, then
    `others`, components other apps drew (events.feed_sources)."""
    components = [*(_event_component(entry) for entry in entries), *others]
    return _calendar(components, method="PUBLISH", name=name)


def filename_for(event: Event) -> str:
    return f"{event.slug}.ics"


def _calendar(components: list[icalendar.Event], *, method: str, name: str | None = None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/London")
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    if components:
        calendar.add_component(_london_timezone())
    for component in components:
        calendar.add_component(component)
    return calendar.to_ical()


def _london_timezone() -> icalendar.Timezone:
    """Europe/London under the UK's rules since 1996, in the compact form Outlook and Google write:
    British Summer Time from 01:00 GMT on the last Sunday of March to 02:00 BST on the last
    Sunday of October."""
    zone = icalendar.Timezone()
    zone.add("tzid", "Europe/London")
    for kind, name, offset_from, offset_to, start, month in (
        (icalendar.TimezoneDaylight, "BST", 0, 1, datetime(1970, 3, 29, 1), 3),
        (icalendar.TimezoneStandard, "GMT", 1, 0, datetime(1970, 10, 25, 2), 10),
    ):
        part = kind()
        part.add("tzname", name)
        part.add("tzoffsetfrom", timedelta(hours=offset_from))
        part.add("tzoffsetto", timedelta(hours=offset_to))
        part.add("dtstart", start)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone


def _event_component(entry: CalendarEntry, *, cancelled: bool = False, attendee=None) -> icalendar.Event:
    event = entry.event
    cancelled = cancelled or event.status == Event.Status.CANCELLED
    page_url = absolute_url(reverse("events:event-detail", args=[event.slug]))
    online_link = entry.online_link

    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", timezone.now())
    component.add("last-modified", event.updated_at)
    component.add("dtstart", in_london(event.start))
    component.add("dtend", in_london(event.end))
    component.add("sequence", entry.sequence)
    component.add("summary", ("Cancelled: " if cancelled else "") + event.title)
    component.add("description", _description(event, page_url=page_url, online_link=online_link))
    location = _location(event, online_link=online_link)
    if location:
        component.add("location", location)
    component.add("url", page_url)
    if cancelled:
        component.add("status", "CANCELLED")
    else:
        component.add("status", "TENTATIVE" if entry.tentative else "CONFIRMED")
    component.add("transp", "OPAQUE")

    _, organiser_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    component.add(
        "organizer", icalendar.vCalAddress(f"mailto:{organiser_email}"), parameters={"CN": ORGANISER_NAME}
    )
    if attendee is not None:
        _add_attendee(component, attendee, cancelled=cancelled)
    return component


def _add_attendee(component: icalendar.Event, attendee, *, cancelled: bool) -> None:
    parameters = {"CN": attendee.full_name or attendee.email, "ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"}
    if not cancelled:
        parameters["PARTSTAT"] = "ACCEPTED"
    component.add("attendee", icalendar.vCalAddress(f"mailto:{attendee.email}"), parameters=parameters)


def _with_attendee(calendar: bytes, *, attendee, cancelled: bool) -> bytes:
    """A serialised one-event calendar with an ATTENDEE added to its event (escaped and folded
    by icalendar, as if the event had been built with it)."""
    part = icalendar.Event()
    _add_attendee(part, attendee, cancelled=cancelled)
    lines = part.to_ical()  # BEGIN:VEVENT, the attendee's (folded) line, END:VEVENT
    attendee_line = lines[lines.index(b"\r\n") + 2 : lines.rindex(b"END:VEVENT")]
    head, end, tail = calendar.rpartition(b"END:VEVENT\r\n")
    return head + attendee_line + end + tail


def _location(event: Event, *, online_link: str) -> str:
    if event.venue and event.online_url:
        return f"{event.venue} (or online)"
    if event.venue:
        return event.venue
    if event.online_url:
        return online_link or "Online"
    return ""


def _description(event: Event, *, page_url: str, online_link: str) -> str:
    lines = []
    if event.summary:
        lines += [event.summary, ""]
    lines.append(f"When: {format_when(event.start, event.end)} (London time)")
    if event.venue:
        lines.append(f"Where: {event.venue}")
    if online_link:
        lines.append(f"Join online: {online_link}")
    elif event.online_url:
        lines.append("Online: the joining link is on the event page for people with a place.")
    lines += ["", f"Details: {page_url}"]
    return "\n".join(lines)


# A query string as urllib.parse.urlencode writes it (quote_plus: letters, digits and "_.-~" kept,
# a space as "+", every other byte of the UTF-8 as %XX), with one str.translate per value: the
# standard library quotes character by character, which made these two links a fifth of an event
# page's work.
_KEPT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_QUOTED = {byte: chr(byte) if byte in _KEPT else f"%{byte:02X}" for byte in range(256)} | {ord(" "): "+"}


def query_string(parameters: dict[str, str]) -> str:
    return "&".join(
        f"{name}={value.encode().decode('latin-1').translate(_QUOTED)}" for name, value in parameters.items()
    )


class AddToCalendarLinks(NamedTuple):
    google: str
    outlook: str


def add_to_calendar_links(event: Event, *, online_link: str = "") -> AddToCalendarLinks:
    """Addresses that open Google Calendar or Outlook on the web with the event filled in, as
    the .ics file has it: the person's own joining address (joining.calendar_online_link) only."""
    page_url = absolute_url(reverse("events:event-detail", args=[event.slug]))
    description = _description(event, page_url=page_url, online_link=online_link)
    location = _location(event, online_link=online_link)
    start, end = event.start.astimezone(UTC), event.end.astimezone(UTC)
    google = "https://calendar.google.com/calendar/render?" + query_string(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
            "details": description,
            "location": location,
        }
    )
    outlook = "https://outlook.office.com/calendar/0/deeplink/compose?" + query_string(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}",
            "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}",
            "body": description,
            "location": location,
        }
    )
    return AddToCalendarLinks(google=google, outlook=outlook)


def webcal_url(url: str) -> str:
    """The same feed address with the webcal scheme, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]
