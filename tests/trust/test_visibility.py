"""One rule says who may see an event; every page, list, filter, feed and reminder follows it.

A network has a public meeting, an invitation-only meeting (sooner, with its own programme and
joining link) and a draft. Each kind of person asks for every place an event can show up, and
the test compares what they SEE there (titles, times, links), not only status codes.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import NETWORK_MANAGERS
from accounts.services import user_complete_profile
from events.emails import REMINDER
from events.models import Event, Invitation
from events.reminders import reminders_enqueue_due
from events.selectors import event_visible_to, events_visible_to, users_who_may_see
from events.services import calendar_feed_regenerate
from networks.models import Network
from outbox.models import Email
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory

ACTORS = ("anonymous", "member", "invitee", "partner", "pending", "manager", "superuser")
SEES_PRIVATE = {"invitee", "manager", "superuser"}
SEES_DRAFTS = {"manager", "superuser"}

PUBLIC = "Practitioners monthly meeting"
PRIVATE = "Chief officers only: budget round"
DRAFT = "Practitioners meeting (draft)"
PRIVATE_LINK = "https://meet.example/private-budget-round"


@pytest.fixture
def world(org, staff):
    police = OrganisationFactory(name="Metropolitan Police", kind="partner", domains=["met.police.uk"])
    network = NetworkFactory(
        name="Data Practitioners",
        join_policy=Network.JoinPolicy.OPEN,
        eligible_organisation_kinds=["borough", "partner"],
    )
    now = timezone.now().replace(second=0, microsecond=0)
    common = {"kind": Event.Kind.NETWORK_MEETING, "network": network}
    public = EventFactory(
        title=PUBLIC,
        slug="practitioners-monthly",
        audience=Event.Audience.NETWORK_MEMBERS,
        start=now + timedelta(days=10, hours=3),
        end=now + timedelta(days=10, hours=5),
        programme="Open Programme",
        **common,
    )
    private = EventFactory(
        title=PRIVATE,
        slug="budget-round",
        audience=Event.Audience.INVITATION,
        start=now + timedelta(days=3, hours=1),
        end=now + timedelta(days=3, hours=2),
        online_url=PRIVATE_LINK,
        programme="Secret Programme",
        **common,
    )
    draft = EventFactory(
        title=DRAFT,
        slug="practitioners-draft",
        status=Event.Status.DRAFT,
        start=now + timedelta(days=1),
        end=now + timedelta(days=1, hours=1),
        **common,
    )
    people = {
        "member": UserFactory(email="mo@camden.gov.uk", full_name="Mo Member", organisation=org),
        "invitee": UserFactory(email="ines@camden.gov.uk", full_name="Ines Invitee", organisation=org),
        "partner": UserFactory(email="pat@met.police.uk", full_name="Pat Partner", organisation=police),
        "pending": UserFactory(email="pending@gmail.example", full_name="Penny Pending"),
        "manager": UserFactory(email="manager@loti.example", full_name="Nia Manager", is_staff=True),
        "superuser": staff,
    }
    user_complete_profile(
        user=people["pending"], full_name="Penny Pending", job_title="", chosen_organisation=org
    )
    people["pending"].refresh_from_db()
    people["manager"].groups.add(Group.objects.get(name=NETWORK_MANAGERS))
    for name in ("member", "invitee", "partner"):
        MembershipFactory(user=people[name], network=network)
    Invitation.objects.create(event=private, email="Ines@Camden.gov.uk", invited_by=staff)
    return {"network": network, "public": public, "private": private, "draft": draft, "people": people}


def _client(world, actor) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(world["people"][actor])
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _when(event) -> str:
    return f"{timezone.localtime(event.start):%A %-d %B %Y} at {timezone.localtime(event.start):%H:%M}"


@pytest.mark.parametrize("actor", ACTORS)
def test_each_person_sees_exactly_the_events_they_may(world, actor):
    client = _client(world, actor)
    network, private = world["network"], world["private"]
    sees_private = actor in SEES_PRIVATE
    failures = []

    def expect(place, shown, text, body):
        if (text in body) != shown:
            failures.append(f"{place}: {text!r} {'missing' if shown else 'shown'}")

    # The network's page: "Upcoming meetings".
    page = _text(client.get(reverse("networks:network-detail", args=[network.slug])))
    expect("network page", True, PUBLIC, page)
    expect("network page", sees_private, PRIVATE, page)
    expect("network page", False, DRAFT, page)
    expect("network page", sees_private, _when(private), page)

    # The networks list: "Next meeting" is the invitation-only one only for those who may see it.
    listing = _text(client.get(reverse("networks:network-list")))
    expect("networks list", sees_private, _when(private), listing)
    expect("networks list", not sees_private, _when(world["public"]), listing)

    # The events list, its programme filter, and a filter by that programme.
    events = _text(client.get(reverse("events:event-list")))
    expect("events list", True, PUBLIC, events)
    expect("events list", sees_private, PRIVATE, events)
    expect("events list", actor in SEES_DRAFTS, DRAFT, events)
    expect("events list filter", sees_private, "Secret Programme", events)
    filtered = client.get(reverse("events:event-list"), {"programme": "Secret Programme"})
    expect("filtered events list", sees_private, PRIVATE, filtered.content.decode())

    # The event's page and its calendar file; the joining link only for staff (and registrants).
    detail = client.get(reverse("events:event-detail", args=[private.slug]))
    assert detail.status_code == (200 if sees_private else 404), f"event page: {detail.status_code}"
    expect("event page", sees_private, PRIVATE, detail.content.decode())
    expect("event page", actor in SEES_DRAFTS, PRIVATE_LINK, detail.content.decode())
    ics = client.get(reverse("events:event-ics", args=[private.slug]))
    assert ics.status_code == (200 if sees_private else 404), f"calendar file: {ics.status_code}"

    # The network's public feed is the signed-out view for everyone.
    feed = _text(client.get(reverse("events:network-feed", args=[network.slug])))
    expect("network feed", True, PUBLIC, feed)
    expect("network feed", False, PRIVATE, feed)
    expect("network feed", False, PRIVATE_LINK, feed)
    assert not failures, f"{actor}:\n" + "\n".join(failures)


@pytest.mark.parametrize("actor", ["member", "invitee", "partner"])
def test_a_members_calendar_feed_has_the_meetings_they_may_see(world, actor):
    feed = calendar_feed_regenerate(user=world["people"][actor])
    body = _text(Client().get(reverse("events:calendar-feed", args=[feed.token])))
    assert PUBLIC in body
    assert (PRIVATE in body) == (actor in SEES_PRIVATE)
    assert DRAFT not in body


def test_an_invitation_only_meeting_is_reminded_only_to_those_who_may_see_it(world, mailoutbox):
    private, public = world["private"], world["public"]
    people = world["people"]
    reminders_enqueue_due(now=private.start - timedelta(hours=23))
    reminded = set(
        Email.objects.filter(kind=REMINDER, about_type="events.event", about_id=private.pk).values_list(
            "to", flat=True
        )
    )
    assert reminded == {people["invitee"].email}
    reminders_enqueue_due(now=public.start - timedelta(hours=23))
    reminded = set(
        Email.objects.filter(kind=REMINDER, about_type="events.event", about_id=public.pk).values_list(
            "to", flat=True
        )
    )
    assert reminded == {people[name].email for name in ("member", "invitee", "partner")}


def test_the_three_answers_of_the_rule_agree_for_everyone(world):
    """events_visible_to, event_visible_to and users_who_may_see are one rule: for every person
    and every event they give the same answer."""
    from accounts.models import User

    people = {"anonymous": AnonymousUser(), **world["people"]}
    events = list(Event.objects.all())
    for name, person in people.items():
        visible = set(events_visible_to(user=person).values_list("pk", flat=True))
        for event in events:
            assert event_visible_to(user=person, event=event) == (event.pk in visible), (name, event.title)
            if person.is_authenticated:
                seen_by = users_who_may_see(event=event, users=User.objects.filter(pk=person.pk)).exists()
                assert seen_by == (event.pk in visible), (name, event.title)
    expected = {
        "anonymous": {PUBLIC},
        "member": {PUBLIC},
        "partner": {PUBLIC},
        "pending": {PUBLIC},
        "invitee": {PUBLIC, PRIVATE},
        "manager": {PUBLIC, PRIVATE, DRAFT},
        "superuser": {PUBLIC, PRIVATE, DRAFT},
    }
    for name, titles in expected.items():
        assert set(events_visible_to(user=people[name]).values_list("title", flat=True)) == titles, name
