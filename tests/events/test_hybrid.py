"""Hybrid sessions: each registrant chooses in person or online, and each has its own places
and its own waiting list, decided under the one event lock."""

import pytest
import time_machine
from django.urls import reverse

from events.joining import join_now_path
from events.models import Registration
from events.services import registration_cancel, registration_create
from tests.factories import EventFactory, RegistrationFactory, UserFactory

Status = Registration.Status


@pytest.fixture
def hybrid(db):
    return EventFactory(
        title="ONS census data course",
        slug="ons-census-course",
        mode="hybrid",
        venue="City Hall, London E16 1ZE",
        capacity=1,
        online_capacity=2,
    )


def register(event, mode, user=None):
    return registration_create(
        event=event, user=user or UserFactory(), answers={}, acting_user=None, mode=mode
    )


def test_each_mode_has_its_own_places_and_waiting_list(hybrid):
    room = register(hybrid, "in_person")
    waiting_for_room = register(hybrid, "in_person")
    online = [register(hybrid, "online"), register(hybrid, "online")]
    waiting_online = register(hybrid, "online")
    assert room.status == Status.CONFIRMED and waiting_for_room.status == Status.WAITLISTED
    assert [r.status for r in online] == [Status.CONFIRMED, Status.CONFIRMED]
    assert waiting_online.status == Status.WAITLISTED

    # A freed online place goes to the first person waiting online, not to the room's queue.
    registration_cancel(registration=online[0], acting_user=None)
    waiting_online.refresh_from_db()
    waiting_for_room.refresh_from_db()
    assert waiting_online.status == Status.CONFIRMED
    assert waiting_for_room.status == Status.WAITLISTED
    # and a freed place in the room to the room's queue
    registration_cancel(registration=room, acting_user=None)
    waiting_for_room.refresh_from_db()
    assert waiting_for_room.status == Status.CONFIRMED


def test_a_hybrid_registration_must_say_how_the_person_attends(hybrid):
    from events.services import RegistrationRefused

    with pytest.raises(RegistrationRefused):
        register(hybrid, "")
    assert not Registration.objects.exists()


def test_other_sessions_ignore_the_choice(db):
    event = EventFactory(capacity=1)
    assert register(event, "online").mode == ""


def test_the_registration_form_asks_and_shows_places_left(client, hybrid, member):
    RegistrationFactory(event=hybrid, mode="in_person")
    client.force_login(member)
    url = reverse("events:event-register", args=[hybrid.slug])
    page = client.get(url).content.decode()
    assert "How will you attend?" in page
    assert "In person (full: you will join its waiting list)" in page
    assert "Online (2 places left)" in page

    response = client.post(url, {})
    assert response.status_code == 200
    assert "Select whether you will come in person or join online" in response.content.decode()
    assert not Registration.objects.filter(user=member).exists()

    response = client.post(url, {"mode": "online"})
    assert response.status_code == 302
    mine = Registration.objects.get(user=member)
    assert mine.status == Status.CONFIRMED and mine.mode == "online"


def test_the_event_page_shows_places_for_each_mode(client, hybrid):
    RegistrationFactory(event=hybrid, mode="online")
    page = client.get(reverse("events:event-detail", args=[hybrid.slug])).content.decode()
    assert "In person: 1 place left of 1" in page
    assert "Online: 1 place left of 2" in page


def test_only_those_joining_online_get_join_now(hybrid):
    in_room = RegistrationFactory(event=hybrid, mode="in_person")
    online = RegistrationFactory(event=hybrid, mode="online")
    with time_machine.travel(hybrid.start):
        assert join_now_path(online, hybrid)
        assert join_now_path(in_room, hybrid) == ""
