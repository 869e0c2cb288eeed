"""A circle's meetings in calendars: a file its members add to Outlook or Google, and the same
meetings in each member's own calendar feed (registered with events.feed_sources)."""

from datetime import UTC
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.feed_sources import PersonalFeedSource
from loti_portal.utils import absolute_url

from .models import CircleMeeting, PeerCircle
from .selectors import circle_meetings_in_feed

PRODID = "-//London Office of Technology and Innovation//LOTI Network Portal//EN"


def circle_meeting_component(meeting: CircleMeeting) -> icalendar.Event:
    """One meeting, its times in UTC, which every calendar shows in the reader's own zone. The UID
    is the meeting's for life, the same in the circle's file and in a member's feed."""
    circle = meeting.circle
    host = urlsplit(settings.SITE_URL).hostname
    page = absolute_url(reverse("mentoring:circle-detail", args=[circle.slug]))
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
    return event


def circle_ics(*, circle: PeerCircle, meetings: list[CircleMeeting]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{circle.name} (LOTI)")
    for meeting in meetings:
        meeting.circle = circle
        calendar.add_component(circle_meeting_component(meeting))
    return calendar.to_ical()


def _feed_version(*, user) -> tuple:
    """Everything circle_meeting_component draws, read without drawing: joining or leaving a
    circle, a moved or remade meeting, a renamed circle or a new meeting place changes it."""
    return tuple(
        circle_meetings_in_feed(user=user).values_list(
            "pk",
            "start",
            "end",
            "circle__slug",
            "circle__name",
            "circle__meeting_online_url",
            "circle__meeting_venue",
            "circle__network__name",
        )
    )


def _feed_components(*, user) -> list[icalendar.Event]:
    return [circle_meeting_component(meeting) for meeting in circle_meetings_in_feed(user=user)]


CIRCLE_MEETINGS_FEED = PersonalFeedSource(
    name="mentoring.circle_meetings", version=_feed_version, components=_feed_components
)
