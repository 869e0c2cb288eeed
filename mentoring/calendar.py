"""A circle's meetings as an iCalendar file its members add to Outlook or Google."""

from datetime import UTC
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from loti_portal.utils import absolute_url

from .models import CircleMeeting, PeerCircle

PRODID = "-//London Office of Technology and Innovation//LOTI Network Portal//EN"


def circle_ics(*, circle: PeerCircle, meetings: list[CircleMeeting]) -> bytes:
    """Times are written in UTC, which every calendar shows in the reader's own zone."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{circle.name} (LOTI)")
    host = urlsplit(settings.SITE_URL).hostname
    page = absolute_url(reverse("mentoring:circle-detail", args=[circle.slug]))
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"circle-meeting-{meeting.pk}@{host}")
        event.add("dtstamp", timezone.now().astimezone(UTC))
        event.add("dtstart", meeting.start.astimezone(UTC))
        event.add("dtend", meeting.end.astimezone(UTC))
        event.add("summary", f"{circle.name} meeting")
        where = circle.meeting_online_url or circle.meeting_venue
        if where:
            event.add("location", where)
        event.add("description", f"{circle.network.name} peer-support circle. {page}")
        event.add("url", page)
        calendar.add_component(event)
    return calendar.to_ical()
