"""The demo sessions, and the issue's "done when": a newcomer registers for the temporary
accommodation session, cancels, and the first person waiting is promoted and told."""

from datetime import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.calendar import event_uid
from events.formatting import in_london
from events.models import Event, Registration
from tests.factories import UserFactory

from .conftest import calendar_attachment, only_event


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The demo creates a few dozen people; hashing their passwords properly takes a while."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_sessions_are_dated_in_the_weeks_ahead_as_the_brief_says(demo):
    today = in_london(timezone.now()).date()
    # The sessions ahead; network meetings come from the networks' cadences, and the past year's
    # sessions from engagement.demo.
    upcoming = Event.objects.exclude(kind=Event.Kind.NETWORK_MEETING).filter(start__gt=timezone.now())
    events = {event.slug: event for event in upcoming}
    assert len(events) == 4
    for event in events.values():
        assert event.status == Event.Status.PUBLISHED
        assert 0 < (in_london(event.start).date() - today).days <= 42

    ta = events["digital-inclusion-temporary-accommodation-findings"]
    assert in_london(ta.start).strftime("%A") == "Friday"
    role = ta.questions.get()
    assert role.text == "Your role"
    assert role.option_list == [
        "Temporary accommodation service lead",
        "Commissioner",
        "Hostel manager",
        "Other",
    ]

    sve = events["social-value-exchange-demo"]
    assert sve.title == "Social Value Exchange demo"
    assert in_london(sve.start).strftime("%A") == "Thursday"
    assert in_london(sve.start).time() == time(10, 0)
    assert sve.audience == Event.Audience.BOROUGH_STAFF
    assert sve.programme == "Digital Inclusion Innovation Programme"
    assert [(s.name, s.organisation) for s in sve.speakers.all()] == [("Dan Ebanks", "Social Value Exchange")]

    ons = events["introduction-to-data-for-senior-leaders"]
    assert ons.capacity == 15
    assert ons.network.slug == "data-leaders"
    assert ons.registrations.filter(status="confirmed").count() == 15
    assert ons.registrations.filter(status="waitlisted").count() == 4

    assert events["local-government-data-careers-day"].kind == Event.Kind.CAREERS_DAY


def test_loading_the_demo_twice_changes_nothing(demo):
    before = (Event.objects.count(), Registration.objects.count(), User.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Event.objects.count(), Registration.objects.count(), User.objects.count()) == before


def test_partner_cannot_register_for_the_social_value_demo_and_is_told_why(client, demo):
    client.force_login(User.objects.get(email="daniel.clarke@met.police.uk"))
    response = client.post(reverse("events:event-register", args=["social-value-exchange-demo"]))
    assert response.status_code == 403
    assert (
        "Your account is linked to Metropolitan Police, a public-sector partner" in response.content.decode()
    )
    assert not Registration.objects.filter(
        user__email="daniel.clarke@met.police.uk", event__slug="social-value-exchange-demo"
    ).exists()


def test_newcomer_registers_for_the_ta_session_cancels_and_the_first_waiting_is_told(
    client, demo, committed, mailoutbox
):
    event = Event.objects.get(slug="digital-inclusion-temporary-accommodation-findings")
    role = event.questions.get()
    newcomer = UserFactory(email="nadia.hussain@camden.gov.uk", full_name="Nadia Hussain")
    # Leave exactly one place, for the newcomer.
    Event.objects.filter(pk=event.pk).update(capacity=event.registrations.count() + 1)

    client.force_login(newcomer)
    with committed():
        response = client.post(
            reverse("events:event-register", args=[event.slug]),
            {f"question_{role.pk}": "Hostel manager"},
        )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event, user=newcomer)
    assert registration.status == "confirmed"
    assert registration.answers == {str(role.pk): "Hostel manager"}
    invitation = mailoutbox[-1]
    assert invitation.to == [newcomer.email]
    calendar, _ = calendar_attachment(invitation)
    assert calendar["METHOD"] == "REQUEST"
    assert only_event(calendar)["UID"] == event_uid(event)

    late = UserFactory(email="late@hackney.gov.uk")
    with committed():
        client.force_login(late)
        client.post(
            reverse("events:event-register", args=[event.slug]), {f"question_{role.pk}": "Commissioner"}
        )
    assert Registration.objects.get(event=event, user=late).status == "waitlisted"

    client.force_login(newcomer)
    mailoutbox.clear()
    with committed():
        client.post(reverse("events:event-cancel", args=[event.slug]))
    assert Registration.objects.get(event=event, user=late).status == "confirmed"
    told = [m for m in mailoutbox if m.to == [late.email]]
    assert len(told) == 1
    assert "it is yours" in told[0].subject
    assert calendar_attachment(told[0])[0]["METHOD"] == "REQUEST"


def test_demo_has_a_past_run_of_the_ons_course_whose_attendee_gets_a_certificate(demo, client):
    from django.urls import reverse

    past = Event.objects.get(slug="introduction-to-data-for-senior-leaders-last-run")
    assert past.kind == Event.Kind.TRAINING and past.end < timezone.now()
    amara = User.objects.get(email="amara.okafor@camden.gov.uk")
    client.force_login(amara)
    page = client.get(reverse("events:event-detail", args=[past.slug])).content.decode()
    assert "Download your certificate" in page
