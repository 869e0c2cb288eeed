"""The personal joining address: only for the person with the place, only in its window, and
it records that they joined once."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEntry
from events.joining import join_path, join_token
from events.models import Event, Registration
from tests.factories import RegistrationFactory, UserFactory

Status = Registration.Status
MEETING = "https://meet.loti.example/session"


@pytest.fixture
def place(event, member):
    return RegistrationFactory(event=event, user=member)


def joined_entries(registration):
    return AuditEntry.objects.filter(
        action="events.registration.joined_online", target_id=str(registration.pk)
    ).count()


def test_joining_from_fifteen_minutes_before_records_attendance_once_and_redirects(client, event, place):
    with time_machine.travel(event.start - timedelta(minutes=15)):
        response = client.get(join_path(place))
        assert response.status_code == 302
        assert response["Location"] == MEETING
        assert "no-store" in response["Cache-Control"]
        place.refresh_from_db()
        first_joined = place.joined_at
        assert place.status == Status.ATTENDED and first_joined is not None

    with time_machine.travel(event.start + timedelta(minutes=30)):
        assert client.get(join_path(place))["Location"] == MEETING
    place.refresh_from_db()
    assert place.joined_at == first_joined
    assert joined_entries(place) == 1


def test_before_the_window_the_address_says_when_it_opens_and_records_nothing(client, event, place):
    with time_machine.travel(event.start - timedelta(minutes=16)):
        response = client.get(join_path(place))
    assert response.status_code == 200
    assert "Joining opens at" in response.content.decode()
    assert MEETING not in response.content.decode()
    place.refresh_from_db()
    assert place.status == Status.CONFIRMED and place.joined_at is None
    assert joined_entries(place) == 0


def test_after_the_end_the_address_says_the_session_has_ended(client, event, place):
    with time_machine.travel(event.end):
        response = client.get(join_path(place))
    assert response.status_code == 200
    assert "This session has ended" in response.content.decode()
    place.refresh_from_db()
    assert place.joined_at is None and place.status == Status.CONFIRMED


@pytest.mark.parametrize("status", [Status.WAITLISTED, Status.CANCELLED])
def test_only_a_person_with_a_place_is_let_through(client, event, member, status):
    registration = RegistrationFactory(
        event=event,
        user=member,
        status=status,
        waitlist_position=1 if status == Status.WAITLISTED else None,
    )
    with time_machine.travel(event.start):
        response = client.get(join_path(registration))
    assert response.status_code == 404
    assert MEETING not in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == status and registration.joined_at is None


def test_a_cancelled_session_lets_nobody_through(client, event, place):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with time_machine.travel(event.start):
        response = client.get(join_path(place))
    assert response.status_code == 404
    assert "has been cancelled" in response.content.decode()


def test_someone_else_signed_in_cannot_use_a_forwarded_address(client, event, place, outsider, staff):
    for other in (outsider, staff):
        client.force_login(other)
        with time_machine.travel(event.start):
            response = client.get(join_path(place))
        assert response.status_code == 403
        assert MEETING not in response.content.decode()
    place.refresh_from_db()
    assert place.joined_at is None


def test_the_person_signed_in_is_let_through(client, event, place, member):
    client.force_login(member)
    with time_machine.travel(event.start):
        assert client.get(join_path(place))["Location"] == MEETING


def test_a_made_up_or_altered_address_is_not_found(client, event, place):
    other = RegistrationFactory(event=event)
    altered = join_token(place).replace(f"{place.pk}.", f"{other.pk}.", 1)
    with time_machine.travel(event.start):
        for token in (altered, "12345", f"{place.pk}.nonsense"):
            response = client.get(reverse("events:event-join", args=[token]))
            assert response.status_code == 404
    assert not Registration.objects.filter(joined_at__isnull=False).exists()


def test_a_changed_meeting_link_needs_no_new_address(client, event, place):
    address = join_path(place)
    Event.objects.filter(pk=event.pk).update(online_url="https://meet.loti.example/new-room")
    with time_machine.travel(event.start):
        assert client.get(address)["Location"] == "https://meet.loti.example/new-room"


def test_the_address_refuses_other_methods(client, event, place):
    with time_machine.travel(event.start):
        assert client.post(join_path(place)).status_code == 405
    place.refresh_from_db()
    assert place.joined_at is None


def test_join_now_shows_on_the_event_page_only_in_the_window_and_only_to_the_person(
    client, event, place, member, outsider
):
    url = reverse("events:event-detail", args=[event.slug])
    client.force_login(member)
    with time_machine.travel(event.start - timedelta(minutes=16)):
        content = client.get(url).content.decode()
        assert "Join now" not in content
        assert join_path(place) in content  # the address itself, to keep for later
    with time_machine.travel(event.start - timedelta(minutes=14)):
        content = client.get(url).content.decode()
        assert "Join now" in content
    client.force_login(outsider)
    with time_machine.travel(event.start - timedelta(minutes=14)):
        content = client.get(url).content.decode()
        assert "Join now" not in content and join_path(place) not in content


def test_two_people_with_places_each_see_only_their_own_address(client, event, place, member):
    other = RegistrationFactory(event=event, user=UserFactory())
    url = reverse("events:event-detail", args=[event.slug])
    with time_machine.travel(event.start):
        client.force_login(member)
        assert join_path(place) in client.get(url).content.decode()
        client.force_login(other.user)
        content = client.get(url).content.decode()
    assert join_path(other) in content and join_path(place) not in content


def test_your_events_has_join_now_and_keeps_the_session_after_joining(
    client, event, place, member, committed
):
    url = reverse("events:my-events")
    client.force_login(member)
    with time_machine.travel(event.start - timedelta(hours=1)):
        assert "Join now" not in client.get(url).content.decode()
    with time_machine.travel(event.start - timedelta(minutes=5)):
        content = client.get(url).content.decode()
        assert "Join now" in content and join_path(place) in content
        with committed():
            client.get(join_path(place))
        content = client.get(url).content.decode()
    assert event.title in content and "Join now" in content
    assert "Cancel your place" not in content
