"""The signed-in home page shows what is next for that person and what waits on them, and
nothing of anybody else's."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Invitation
from events.services import registration_create
from networks.models import Membership
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, UserFactory
from tests.helpers import session_queries


@pytest.fixture
def leaders(db):
    return NetworkFactory(name="Data Leaders")


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_signed_in_home_shows_my_sessions_meetings_and_what_waits(client, member, outsider, leaders):
    MembershipFactory(user=member, network=leaders)
    course = EventFactory(title="Introduction to Data")
    registration_create(event=course, user=member, answers={}, acting_user=member)
    EventFactory(title="Data Leaders December meeting", kind=Event.Kind.NETWORK_MEETING, network=leaders)
    secret = EventFactory(
        title="Data Leaders chairs only",
        kind=Event.Kind.NETWORK_MEETING,
        network=leaders,
        audience="invitation",
    )
    invited = EventFactory(title="Private supplier briefing", audience="invitation")
    Invitation.objects.create(event=invited, email=member.email)
    approval = NetworkFactory(name="Women's Digital Leaders", join_policy="approval")
    MembershipFactory(user=member, network=approval, status=Membership.Status.PENDING)
    theirs = EventFactory(title="Someone else's course")
    registration_create(event=theirs, user=outsider, answers={}, acting_user=outsider)

    page = _home(client, member)
    assert "Your networks and sessions" in page
    assert "Introduction to Data" in page
    assert "Data Leaders December meeting" in page
    assert "You are invited to" in page and "Private supplier briefing" in page
    assert "Your application to join" in page and "Women&#x27;s Digital Leaders" in page
    # Not theirs to see, and not theirs.
    assert secret.title not in page
    assert "Someone else&#x27;s course" not in page

    page = _home(client, outsider)
    assert "Someone else&#x27;s course" in page
    assert "Introduction to Data" not in page
    assert "Private supplier briefing" not in page
    assert "Waiting for you" not in page


def test_a_past_session_or_a_registered_invitation_is_not_shown_as_waiting(client, member):
    invited = EventFactory(title="Private supplier briefing", audience="invitation")
    Invitation.objects.create(event=invited, email=member.email)
    registration_create(event=invited, user=member, answers={}, acting_user=member)
    old = EventFactory(title="Last year", start=timezone.now() - timedelta(days=30))
    old.end = old.start + timedelta(hours=1)
    old.save()
    page = _home(client, member)
    assert "You are invited to" not in page
    assert "Last year" not in page
    assert "Private supplier briefing" in page  # as a session with a place


def test_signed_out_home_is_the_introduction(client, db):
    page = client.get(reverse("home")).content.decode()
    assert "Networks and sessions for London" in page
    assert "Your next sessions" not in page


def test_home_runs_the_same_queries_whatever_the_data(client, member, leaders):
    MembershipFactory(user=member, network=leaders)
    client.force_login(member)

    def add(count):
        for _ in range(count):
            event = EventFactory()
            registration_create(event=event, user=member, answers={}, acting_user=member)
            EventFactory(kind=Event.Kind.NETWORK_MEETING, network=leaders)
            other = UserFactory()
            registration_create(event=event, user=other, answers={}, acting_user=other)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    add(2)
    queries()  # the first request of a session also reads what later ones have in hand
    add(1)
    small = queries()
    add(10)
    assert queries() == small
    # The person, then their next sessions, their networks' meetings, their invitations and their
    # applications: one query each.
    assert small == 5 + session_queries(), small
