"""No surprise meetings: a change of cadence shows the next six meetings before it is saved, and
a meeting within the notice period (the longest reminder) is made only when staff say so."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from events.models import Event
from networks.cadence import LONDON
from networks.models import Network
from outbox.models import Email
from tests.factories import MembershipFactory, NetworkFactory

# Monday 5 January 2026: the second Tuesday of January (the 13th) is eight days away, the first
# Tuesday of January (the 6th) one day away.
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)


@pytest.fixture
def leaders(db):
    network = NetworkFactory(
        name="Data Leaders",
        slug="data-leaders",
        meeting_frequency=Network.MeetingFrequency.MONTHLY,
        cadence_week=2,
        cadence_weekday=1,
        cadence_start_time=time(10, 0),
        cadence_duration_minutes=90,
        cadence_starts_on=date(2026, 1, 1),
        reminder_offsets_hours=[168, 24],
    )
    MembershipFactory(network=network)
    return network


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def form_data(network, **changes):
    data = {
        "name": network.name,
        "slug": network.slug,
        "summary": network.summary,
        "description": "",
        "audience": "",
        "status": "active",
        "join_policy": network.join_policy,
        "contact_email": "",
        "meeting_frequency": network.meeting_frequency,
        "cadence_week": str(network.cadence_week),
        "cadence_weekday": str(network.cadence_weekday),
        "cadence_start_time": "10:00",
        "cadence_duration_minutes": "90",
        "cadence_starts_on": "2026-01-01",
        "meeting_venue": "",
        "meeting_online_url": "",
        "meeting_capacity": "",
        "meetings_horizon_days": "183",
        "reminder_offsets_hours": "168, 24",
        "discussion_url": "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def save(client, network, django_capture_on_commit_callbacks, **changes):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("admin:networks_network_change", args=[network.pk]), form_data(network, **changes)
        )


def test_a_change_of_cadence_shows_the_next_six_meetings_and_saves_nothing_until_confirmed(
    staff_client, leaders, django_capture_on_commit_callbacks
):
    response = save(staff_client, leaders, django_capture_on_commit_callbacks, cadence_week="1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check the next meetings listed under this box" in page
    assert "The next 6 meetings:" in page
    assert "Tuesday 6 January 2026, 10:00am to 11:30am" in page
    assert "Tuesday 2 June 2026, 10:00am to 11:30am" in page  # the sixth
    leaders.refresh_from_db()
    assert leaders.cadence_week == 2
    assert not Event.objects.filter(network=leaders).exists()


def test_a_meeting_within_the_notice_period_is_made_only_when_staff_say_so(
    staff_client, leaders, django_capture_on_commit_callbacks
):
    response = save(
        staff_client, leaders, django_capture_on_commit_callbacks, cadence_week="1", cadence_checked="on"
    )
    assert response.status_code == 302
    dates = sorted(Event.objects.filter(network=leaders).values_list("occurrence_date", flat=True))
    assert dates[0] == date(2026, 2, 3)  # the first outside the week's notice, not tomorrow
    # Nobody is reminded of a meeting they were not told about a week ahead.
    assert not Email.objects.filter(kind="events.reminder").exists()


def test_staff_can_confirm_a_meeting_within_the_notice_period(
    staff_client, leaders, django_capture_on_commit_callbacks
):
    asked = save(staff_client, leaders, django_capture_on_commit_callbacks, cadence_week="1")
    assert "Tuesday 6 January 2026, 10:00am to 11:30am would start within 168 hours" in asked.content.decode()
    assert "the first meeting is Tuesday 3 February 2026" in asked.content.decode()
    save(
        staff_client,
        leaders,
        django_capture_on_commit_callbacks,
        cadence_week="1",
        cadence_checked="on",
        within_notice="on",
    )
    dates = sorted(Event.objects.filter(network=leaders).values_list("occurrence_date", flat=True))
    assert dates[0] == date(2026, 1, 6)


def test_other_changes_ask_nothing(staff_client, leaders, django_capture_on_commit_callbacks):
    response = save(staff_client, leaders, django_capture_on_commit_callbacks, summary="Leaders of data.")
    assert response.status_code == 302
    leaders.refresh_from_db()
    assert leaders.summary == "Leaders of data."
