"""A member's circles' meetings in their own calendar feed, read as a calendar app reads it."""

from urllib.parse import urlsplit

import icalendar
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.selectors import calendar_feed_for_user
from events.services import calendar_feed_regenerate
from mentoring import circles
from mentoring.models import CircleMeeting, PeerCircle
from networks.models import Network
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = "2026-03-10 09:00 +00:00"
HOST = urlsplit(settings.SITE_URL).hostname


@pytest.fixture(autouse=True)
def fresh_cache():
    # The feed is cached by its version: each test starts from nothing drawn.
    cache.clear()


def feed_summaries(client, user) -> dict[str, icalendar.Event]:
    # One address per person, as a calendar app keeps polling the same one.
    feed = calendar_feed_for_user(user=user) or calendar_feed_regenerate(user=user)
    response = client.get(reverse("events:calendar-feed", args=[feed.token]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}


def feed_summaries_at(client, url) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(client.get(url).content)
    return {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}


def circle_uids(vevents) -> set[str]:
    return {uid for uid in vevents if uid.startswith("circle-meeting-")}


def test_a_member_who_joins_a_circle_gets_its_meetings_in_their_feed(client, circle, network, staff):
    person = UserFactory(full_name="Cara Circle")
    MembershipFactory(user=person, network=network)
    with time_machine.travel(NOW, tick=False):
        assert circle_uids(feed_summaries(client, person)) == set()

        circles.circle_member_add(circle=circle, user=person, acting_user=staff)
        vevents = feed_summaries(client, person)

    meetings = list(CircleMeeting.objects.filter(circle=circle).order_by("start"))
    assert len(meetings) == 4
    assert circle_uids(vevents) == {f"circle-meeting-{meeting.pk}@{HOST}" for meeting in meetings}
    first = vevents[f"circle-meeting-{meetings[0].pk}@{HOST}"]
    assert str(first["SUMMARY"]) == "Tuesday lunch circle meeting"
    assert first.decoded("DTSTART") == meetings[0].start
    assert str(first["LOCATION"]) == "https://meet.loti.london/tuesday-lunch"


def test_leaving_or_a_moved_meeting_changes_the_feed_at_once(client, circle, network, staff):
    person = UserFactory()
    MembershipFactory(user=person, network=network)
    circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    meeting = CircleMeeting.objects.filter(circle=circle).order_by("start").first()
    uid = f"circle-meeting-{meeting.pk}@{HOST}"
    with time_machine.travel(NOW, tick=False):
        before = feed_summaries(client, person)[uid].decoded("DTSTART")
        meeting.start = meeting.start.replace(hour=meeting.start.hour + 1)
        meeting.end = meeting.end.replace(hour=meeting.end.hour + 1)
        meeting.save()
        moved = feed_summaries(client, person)[uid].decoded("DTSTART")
        circles.circle_leave(circle=circle, user=person)
        after_leaving = feed_summaries(client, person)

    assert moved - before == meeting.end - meeting.end.replace(hour=meeting.end.hour - 1)
    assert circle_uids(after_leaving) == set()


def test_the_feed_shows_nobody_a_circle_they_are_not_in(client, circle, network, staff):
    insider, outsider = UserFactory(), UserFactory()
    for person in (insider, outsider):
        MembershipFactory(user=person, network=network)
    circles.circle_member_add(circle=circle, user=insider, acting_user=staff)
    with time_machine.travel(NOW, tick=False):
        assert circle_uids(feed_summaries(client, insider))
        # Another member of the network, and staff (who may open the circle's page) see none of
        # its meetings in their own feeds: a feed is what the person belongs to.
        assert circle_uids(feed_summaries(client, outsider)) == set()
        assert circle_uids(feed_summaries(client, staff)) == set()
        # A circle of an archived network is no longer anyone's.
        Network.objects.filter(pk=network.pk).update(status=Network.Status.ARCHIVED)
        assert circle_uids(feed_summaries(client, insider)) == set()


def test_the_feed_runs_the_same_queries_however_many_circles_and_meetings(
    client, circle, network, staff, django_assert_num_queries
):
    person = UserFactory()
    MembershipFactory(user=person, network=network)
    circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    url = reverse("events:calendar-feed", args=[calendar_feed_regenerate(user=person).token])
    with time_machine.travel(NOW, tick=False):
        with CaptureQueriesContext(connection) as one_circle:
            assert client.get(url).status_code == 200
        second = PeerCircle.objects.get(pk=circle.pk)
        second.pk, second.slug, second.name, second.cadence_week = None, "second", "Second circle", 3
        circles.circle_save(circle=second, changed_fields=[], acting_user=staff)
        circles.circle_member_add(circle=second, user=person, acting_user=staff)
        cache.clear()
        with django_assert_num_queries(len(one_circle.captured_queries)):
            vevents = feed_summaries_at(client, url)
    assert len(circle_uids(vevents)) == 8
