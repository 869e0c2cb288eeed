"""What each page says matches the person's standing: a place, a waiting-list position, or
neither, and what cancelling would really do."""

import pytest
from django.urls import reverse

from events.models import Registration
from events.services import registration_create
from networks.models import Network
from tests.factories import EventFactory, MembershipFactory, NetworkFactory


def _register(event, user):
    return registration_create(event=event, user=user, answers={}, acting_user=user)


@pytest.fixture
def full_event(db, member):
    """One place, taken by `member`."""
    event = EventFactory(title="Introduction to Data", capacity=1)
    _register(event, member)
    return event


def test_waiting_list_confirmation_is_not_the_green_place_panel(client, full_event, outsider):
    _register(full_event, outsider)
    client.force_login(outsider)
    page = client.get(reverse("events:event-registered", args=[full_event.slug])).content.decode()
    assert "You are on the waiting list" in page
    assert "govuk-panel--confirmation" not in page
    assert "You do not have a place yet" in page
    assert "someone else can have your place" not in page
    assert "leave the waiting list so that the people behind you move up" in page


def test_place_confirmation_shows_the_green_panel(client, full_event, member):
    client.force_login(member)
    page = client.get(reverse("events:event-registered", args=[full_event.slug])).content.decode()
    assert "govuk-panel--confirmation" in page
    assert "You have a place" in page
    assert "someone else can have your place" in page


def test_someone_with_a_place_is_not_offered_the_waiting_list(client, full_event, member, outsider):
    client.force_login(member)
    page = client.get(reverse("events:event-detail", args=[full_event.slug])).content.decode()
    assert "You have a place" in page
    assert "you can join the waiting list" not in page

    client.force_login(outsider)
    page = client.get(reverse("events:event-detail", args=[full_event.slug])).content.decode()
    assert "Full: you can join the waiting list" in page


def test_cancel_warning_mentions_the_waiting_list_only_when_someone_waits(client, member, outsider):
    roomy = EventFactory(title="Careers day", capacity=60)
    _register(roomy, member)
    client.force_login(member)
    page = client.get(reverse("events:event-cancel", args=[roomy.slug])).content.decode()
    assert "waiting list" not in page
    assert "Your place will be free for someone else to take" in page

    full = EventFactory(title="Full course", capacity=1)
    _register(full, member)
    assert _register(full, outsider).status == Registration.Status.WAITLISTED
    page = client.get(reverse("events:event-cancel", args=[full.slug])).content.decode()
    assert "Your place will go to the next person on the waiting list" in page


def test_a_network_meeting_says_what_registering_adds(client, member):
    network = NetworkFactory(name="Data Scientists", join_policy=Network.JoinPolicy.OPEN)
    MembershipFactory(user=member, network=network)
    meeting = EventFactory(kind="network_meeting", network=network, title="Data Scientists meeting")
    session = EventFactory(kind="training", network=network, title="Python course")
    client.force_login(member)
    page = client.get(reverse("events:event-detail", args=[meeting.slug])).content.decode()
    assert "Every member of Data Scientists gets reminders of this meeting" in page
    page = client.get(reverse("events:event-detail", args=[session.slug])).content.decode()
    assert "gets reminders of this meeting" not in page
