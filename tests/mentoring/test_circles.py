from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEntry
from mentoring import circles, selectors, tasks
from mentoring.models import CircleMeeting, CircleMembership, CirclePlacementRequest, PeerCircle
from networks.models import MeetingCadence, Membership
from outbox.models import Email
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _members(network, count):
    people = [UserFactory(full_name=f"Member {n}") for n in range(count)]
    for person in people:
        MembershipFactory(user=person, network=network)
    return people


def test_a_circle_takes_up_to_eight_active_members(circle, network, staff, member):
    people = _members(network, 9)
    for person in people[:8]:
        circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    with pytest.raises(ValidationError, match="at most 8"):
        circles.circle_member_add(circle=circle, user=people[8], acting_user=staff)
    with pytest.raises(ValidationError, match="not a member"):
        circles.circle_member_add(circle=circle, user=member, acting_user=staff)
    assert CircleMembership.objects.filter(circle=circle).count() == 8
    circles.circle_leave(circle=circle, user=people[0])
    circles.circle_member_add(circle=circle, user=people[8], acting_user=staff)
    circles.circle_leave(circle=circle, user=people[1])
    with pytest.raises(ValidationError, match="already in"):
        circles.circle_member_add(circle=circle, user=people[8], acting_user=staff)


def test_meetings_follow_the_cadence_across_the_clock_change_and_are_made_once(circle):
    meetings = list(CircleMeeting.objects.filter(circle=circle).order_by("start"))
    # First Tuesday of each month at 12:30 London time, for 120 days from 10 March.
    assert [m.occurrence_date for m in meetings] == [
        date(2026, 4, 7),
        date(2026, 5, 5),
        date(2026, 6, 2),
        date(2026, 7, 7),
    ]
    assert {
        m.start.astimezone(
            circle.cadence_starts_on and __import__("zoneinfo").ZoneInfo("Europe/London")
        ).time()
        for m in meetings
    } == {time(12, 30)}
    with time_machine.travel("2026-03-10 09:00 +00:00", tick=False):
        assert tasks.mentoring_circle_meetings_generate() == 0
    with time_machine.travel("2026-04-10 09:00 +01:00", tick=False):
        assert tasks.mentoring_circle_meetings_generate() == 1  # 4 August comes into the window
    assert CircleMeeting.objects.filter(circle=circle).count() == 5


def test_members_are_reminded_the_day_before_once(circle, network, staff, on_commit, mailoutbox):
    people = _members(network, 4)
    for person in people:
        circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    circles.circle_leave(circle=circle, user=people[3])
    mailoutbox.clear()
    with time_machine.travel("2026-04-06 11:00 +01:00", tick=False):
        assert tasks.mentoring_circle_reminders_send() == 0  # more than a day ahead
    with time_machine.travel("2026-04-06 13:00 +01:00", tick=False), on_commit():
        assert tasks.mentoring_circle_reminders_send() == 3
        assert tasks.mentoring_circle_reminders_send() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people[:3])
    assert mailoutbox[0].subject == "Reminder: Tuesday lunch circle meets Tuesday 7 April at 12:30"
    # One row of the outbox per meeting and member, sent; the second run owed nothing more.
    reminders = Email.objects.filter(kind="mentoring.circle_meeting_reminder")
    assert sorted(reminders.values_list("to", "state")) == sorted((p.email, "sent") for p in people[:3])


def test_joining_emails_the_member_and_closes_their_request(circle, network, staff, on_commit, mailoutbox):
    person = _members(network, 1)[0]
    circles.circle_placement_request(network=network, user=person, note="Lunchtimes suit me")
    with pytest.raises(ValidationError, match="already asked"):
        circles.circle_placement_request(network=network, user=person, note="")
    with on_commit():
        circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    request = CirclePlacementRequest.objects.get()
    assert request.closed_at is not None and request.placed_in == circle
    assert [m.subject for m in mailoutbox] == ["You have joined Tuesday lunch circle"]
    assert AuditEntry.objects.filter(action="mentoring.circle.member_added").count() == 1


def test_the_circle_page_is_for_its_members_only(client, circle, network, staff, member, outsider):
    people = _members(network, 2)
    circles.circle_member_add(circle=circle, user=people[0], acting_user=staff)
    MembershipFactory(user=member, network=network)  # in the network, not in the circle
    urls = [
        reverse("mentoring:circle-detail", args=[circle.slug]),
        reverse("mentoring:circle-calendar", args=[circle.slug]),
        reverse("mentoring:circle-leave", args=[circle.slug]),
    ]
    for person in (member, outsider, people[1]):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
    client.force_login(people[0])
    with time_machine.travel("2026-03-10 09:00 +00:00", tick=False):
        page = client.get(urls[0]).content.decode()
        ics = client.get(urls[1])
    assert "Member 0" in page and "basecamp.com/loti/circles/tuesday" in page
    assert "Tuesday 7 April 2026, 12:30 to 13:30" in page
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content and b"Tuesday lunch circle meeting" in ics.content


def test_your_networks_and_the_network_page_show_circles(client, circle, network, staff):
    person, other = _members(network, 2)
    circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    client.force_login(person)
    page = client.get(reverse("networks:my-networks")).content.decode()
    assert (
        "Your peer-support circles" in page and reverse("mentoring:circle-detail", args=[circle.slug]) in page
    )
    client.force_login(other)
    page = client.get(reverse("networks:network-detail", args=[network.slug])).content.decode()
    assert "Tuesday lunch circle" in page and "1 member" in page
    assert reverse("mentoring:circle-detail", args=[circle.slug]) not in page
    response = client.post(reverse("mentoring:circle-ask", args=[network.slug]), {"note": "x" * 1001})
    assert "1,000 characters or fewer" in response.content.decode()
    response = client.post(
        reverse("mentoring:circle-ask", args=[network.slug]), {"note": "Mornings"}, follow=True
    )
    assert "You have asked to join a circle" in response.content.decode()
    assert CirclePlacementRequest.objects.get().user == other


def test_only_network_members_may_ask_for_a_circle(client, network, outsider):
    client.force_login(outsider)
    assert client.get(reverse("mentoring:circle-ask", args=[network.slug])).status_code == 404


def test_leaving_a_circle(client, circle, network, staff):
    person = _members(network, 1)[0]
    circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    client.force_login(person)
    response = client.post(reverse("mentoring:circle-leave", args=[circle.slug]), follow=True)
    assert "You have left Tuesday lunch circle" in response.content.decode()
    assert selectors.circles_for_user(user=person) == []


def test_staff_add_and_remove_members_in_admin(client, circle, network, staff):
    people = _members(network, 2)
    MembershipFactory(
        user=UserFactory(full_name="Pending Person"), network=network, status=Membership.Status.PENDING
    )
    client.force_login(staff)
    url = reverse("admin:mentoring_peercircle_change", args=[circle.pk])
    page = client.get(url).content.decode()
    assert "Member 0" in page and "Pending Person" not in page
    data = {
        "network": network.pk,
        "name": circle.name,
        "slug": circle.slug,
        "discussion_url": circle.discussion_url,
        "is_open": "on",
        "frequency": "monthly",
        "cadence_week": 1,
        "cadence_weekday": 1,
        "cadence_start_time": "12:30",
        "cadence_duration_minutes": 60,
        "cadence_starts_on": "2026-01-01",
        "meeting_online_url": circle.meeting_online_url,
        "add_members": [people[0].pk, people[1].pk],
    }
    assert client.post(url, data).status_code == 302
    assert set(CircleMembership.objects.values_list("user__full_name", flat=True)) == {"Member 0", "Member 1"}
    assert client.post(url, {**data, "add_members": [], "remove_members": [people[0].pk]}).status_code == 302
    assert [m.user for m in CircleMembership.objects.filter(left_at__isnull=True)] == [people[1]]


def test_a_circle_meets_by_the_network_cadence_model_and_its_cadence_is_whole(client, circle, network, staff):
    # One cadence model for networks and circles: the same words and meetings from the same fields.
    network.meeting_frequency, network.cadence_duration_minutes = "monthly", 60
    for field in ("cadence_week", "cadence_weekday", "cadence_start_time", "cadence_starts_on"):
        setattr(network, field, getattr(circle, field))
    assert isinstance(circle, MeetingCadence) and isinstance(network, MeetingCadence)
    assert circle.cadence == network.cadence
    assert circle.cadence_in_words == network.cadence_in_words
    # A network may have no cadence; a circle may not, and staff are told which part is missing.
    client.force_login(staff)
    url = reverse("admin:mentoring_peercircle_change", args=[circle.pk])
    data = {
        "network": network.pk,
        "name": circle.name,
        "slug": circle.slug,
        "frequency": "monthly",
        "cadence_week": "",
        "cadence_weekday": 1,
        "cadence_start_time": "",
        "cadence_duration_minutes": 60,
        "cadence_starts_on": "2026-01-01",
    }
    page = client.post(url, data).content.decode()
    assert "Choose which week of the month the circle meets" in page
    assert "Enter the time meetings start" in page
    circle.refresh_from_db()
    assert circle.cadence_week == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerCircle.objects.filter(pk=circle.pk).update(cadence_week=None)


def test_a_network_page_reads_its_programmes_circles_and_placement_request_in_one_query(
    circle, programme, network, staff, outsider, django_assert_num_queries
):
    person, other = _members(network, 2)
    circles.circle_member_add(circle=circle, user=person, acting_user=staff)
    circles.circle_member_add(circle=circle, user=other, acting_user=staff)
    morning = PeerCircle.objects.get(pk=circle.pk)
    morning.pk, morning.name, morning.slug = None, "A morning circle", "a-morning"
    morning.save()
    older = programme.__class__.objects.create(
        network=network,
        name="WDL mentoring 2025",
        slug="wdl-mentoring-2025",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    CirclePlacementRequest.objects.create(network=network, user=other, closed_at=None)
    with django_assert_num_queries(1):
        shown = selectors.network_mentoring(network=network, user=person, is_member=True)
    assert shown["programmes"] == [
        {"name": programme.name, "slug": programme.slug, "is_open": True},
        {"name": older.name, "slug": older.slug, "is_open": False},
    ]
    assert shown["circles"] == {
        "circles": [
            {"name": "A morning circle", "slug": "a-morning", "size": 0, "mine": 0},
            {"name": "Tuesday lunch circle", "slug": "tuesday-lunch", "size": 2, "mine": 1},
        ],
        "waiting": False,
        "can_ask": False,
    }
    circles.circle_member_remove(circle=circle, user=other, acting_user=staff)
    assert selectors.network_mentoring(network=network, user=other, is_member=True)["circles"] == {
        "circles": [
            {"name": "A morning circle", "slug": "a-morning", "size": 0, "mine": 0},
            {"name": "Tuesday lunch circle", "slug": "tuesday-lunch", "size": 1, "mine": 0},
        ],
        "waiting": True,
        "can_ask": True,
    }
    with django_assert_num_queries(0):
        nothing = selectors.network_mentoring(network=network, user=outsider, is_member=False)
    assert nothing == {"programmes": [], "circles": {"circles": [], "waiting": False, "can_ask": False}}
