from datetime import date, datetime, time, timedelta

import pytest
import time_machine

from events.models import Event, Registration
from events.services import event_save
from networks.cadence import LONDON
from networks.meetings import meetings_generate, meetings_generate_all, meetings_replace_future
from networks.models import Network
from networks.services import network_save
from tests.factories import EventFactory, NetworkFactory, RegistrationFactory

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)


@pytest.fixture
def leaders(db):
    return NetworkFactory(
        name="Data Leaders",
        slug="data-leaders",
        meeting_frequency=Network.MeetingFrequency.MONTHLY,
        cadence_week=2,
        cadence_weekday=1,
        cadence_start_time=time(10, 0),
        cadence_duration_minutes=90,
        cadence_starts_on=date(2026, 1, 1),
        meeting_online_url="https://meet.loti.example/leaders",
        meetings_horizon_days=183,
    )


def meeting_dates(network):
    return list(
        Event.objects.filter(network=network, occurrence_date__isnull=False)
        .order_by("start")
        .values_list("occurrence_date", flat=True)
    )


def test_generates_meetings_up_to_the_horizon_as_published_meetings_of_the_network(leaders):
    assert meetings_generate(network=leaders, now=NOW) == 6
    assert meeting_dates(leaders) == [
        date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10),
        date(2026, 4, 14), date(2026, 5, 12), date(2026, 6, 9),
    ]  # fmt: skip
    meeting = Event.objects.get(network=leaders, occurrence_date=date(2026, 1, 13))
    assert meeting.kind == Event.Kind.NETWORK_MEETING
    assert meeting.status == Event.Status.PUBLISHED
    assert meeting.audience == Event.Audience.NETWORK_MEMBERS
    assert meeting.online_url == "https://meet.loti.example/leaders"
    assert meeting.end - meeting.start == timedelta(minutes=90)


def test_running_twice_creates_nothing_new(leaders):
    meetings_generate(network=leaders, now=NOW)
    assert meetings_generate(network=leaders, now=NOW) == 0
    assert meetings_generate_all(now=NOW) == {"data-leaders": 0}
    assert Event.objects.filter(network=leaders).count() == 6


def test_ten_o_clock_stays_ten_across_the_clock_changes(leaders):
    meetings_generate(network=leaders, now=NOW)
    starts = Event.objects.filter(network=leaders).values_list("start", flat=True)
    assert {start.astimezone(LONDON).time() for start in starts} == {time(10, 0)}
    utc_hours = {start.astimezone(LONDON).date(): start.hour for start in starts}
    assert utc_hours[date(2026, 3, 10)] == 10  # GMT
    assert utc_hours[date(2026, 4, 14)] == 9  # BST


def test_a_meeting_staff_moved_or_cancelled_is_never_brought_back(leaders, staff):
    meetings_generate(network=leaders, now=NOW)
    moved = Event.objects.get(network=leaders, occurrence_date=date(2026, 2, 10))
    moved.start += timedelta(days=2)
    moved.end += timedelta(days=2)
    event_save(event=moved, acting_user=staff)
    cancelled = Event.objects.get(network=leaders, occurrence_date=date(2026, 3, 10))
    cancelled.status = Event.Status.CANCELLED
    event_save(event=cancelled, acting_user=staff)

    assert meetings_generate(network=leaders, now=NOW) == 0
    moved.refresh_from_db()
    cancelled.refresh_from_db()
    assert moved.staff_edited and moved.start.astimezone(LONDON).date() == date(2026, 2, 12)
    assert cancelled.status == Event.Status.CANCELLED
    assert Event.objects.filter(network=leaders, occurrence_date=date(2026, 3, 10)).count() == 1


def test_a_change_of_rule_replaces_only_future_meetings_nobody_touched(leaders, staff, member):
    meetings_generate(network=leaders, now=NOW)
    edited = Event.objects.get(network=leaders, occurrence_date=date(2026, 2, 10))
    edited.title = "Data Leaders: budget special"
    event_save(event=edited, acting_user=staff)
    booked = Event.objects.get(network=leaders, occurrence_date=date(2026, 3, 10))
    RegistrationFactory(event=booked, user=member, status=Registration.Status.CONFIRMED)

    later = NOW + timedelta(days=10)  # the January meeting is now in the past
    leaders.cadence_week = -1
    leaders.cadence_weekday = 3  # last Thursday
    with time_machine.travel(later, tick=False):
        removed, created = meetings_replace_future(network=leaders, now=later)

    assert removed == 3  # April, May, June (past January, edited February and booked March stay)
    remaining = meeting_dates(leaders)
    assert date(2026, 1, 13) in remaining
    assert date(2026, 2, 10) in remaining and date(2026, 3, 10) in remaining
    assert date(2026, 4, 14) not in remaining
    assert date(2026, 4, 30) in remaining  # the new rule's last Thursday
    assert created == len([d for d in remaining if d.weekday() == 3])


def test_saving_a_changed_cadence_in_admin_regenerates_and_stores_the_rrule(
    leaders, staff, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        meetings_generate(network=leaders, now=NOW)
        leaders.cadence_weekday = 2
        with django_capture_on_commit_callbacks(execute=True):
            network_save(network=leaders, changed_fields=["cadence_weekday"], acting_user=staff)
    leaders.refresh_from_db()
    assert leaders.cadence_rrule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2WE"
    assert leaders.cadence_in_words == "Meets on the second Wednesday of every month, 10:00–11:30"
    weekdays = {d.weekday() for d in meeting_dates(leaders)}
    assert weekdays == {2}


def test_networks_without_a_cadence_or_archived_get_no_meetings(leaders):
    plain = NetworkFactory(name="Plain", meeting_frequency=Network.MeetingFrequency.MONTHLY)
    assert plain.cadence is None
    assert plain.cadence_in_words == "Meets monthly"
    leaders.status = Network.Status.ARCHIVED
    leaders.save()
    assert meetings_generate_all(now=NOW) == {"plain": 0}
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cadence_weekday": None}, "cadence_weekday"),
        ({"cadence_start_time": None}, "cadence_start_time"),
        ({"meeting_frequency": "none"}, "meeting_frequency"),
        ({"cadence_duration_minutes": 0}, "cadence_duration_minutes"),
        ({"reminder_offsets_hours": [168, -1]}, "reminder_offsets_hours"),
        ({"reminder_offsets_hours": "weekly"}, "reminder_offsets_hours"),
        ({"reminder_offsets_hours": [24 * 40]}, "reminder_offsets_hours"),
    ],
)
def test_incomplete_or_bad_cadence_is_refused_with_a_message_on_the_field(leaders, staff, changes, field):
    from django.core.exceptions import ValidationError

    for name, value in changes.items():
        setattr(leaders, name, value)
    with pytest.raises(ValidationError) as refused:
        network_save(network=leaders, changed_fields=list(changes), acting_user=staff)
    assert field in refused.value.message_dict
    leaders.refresh_from_db()
    assert leaders.cadence_weekday == 1


def test_a_slug_clash_gets_another_slug_and_never_loses_a_meeting(leaders):
    clash = EventFactory(title="Leaders' away day", slug="data-leaders-2026-02-10")
    assert meetings_generate(network=leaders, now=NOW) == 6
    february = Event.objects.get(network=leaders, occurrence_date=date(2026, 2, 10))
    assert february.slug == "data-leaders-2026-02-10-2"
    assert Event.objects.get(pk=clash.pk).title == "Leaders' away day"
    assert len(meeting_dates(leaders)) == 6
