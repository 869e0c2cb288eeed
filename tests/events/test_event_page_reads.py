"""An event's page reads the event, its network and the person's own registration in one query
through the one visibility rule (events.selectors_detail), gives each kind of person the same
number of queries however many people are registered, and draws its parts from format strings
that escape what staff and people type."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.calendar import query_string
from events.models import Event, Invitation, Registration
from events.selectors_detail import EVENT_FIELDS, REGISTRATION_FIELDS, event_page_for_user
from events.services.counts import event_counts_refresh
from tests.factories import EventFactory, NetworkFactory, SpeakerFactory, UserFactory
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> list[str]:
    client.get(url)  # the first request after signing in refreshes the session
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_event_and_the_persons_registration_come_in_one_query(client, member):
    event = EventFactory(network=NetworkFactory(), description="What we found.")
    SpeakerFactory(event=event)
    client.force_login(member)
    sql = queries_for(client, reverse("events:event-detail", args=[event.slug]))
    # The person, the event with its network and their registration, and whether they are a
    # member of its network (for its materials); the speakers are in the kept "about" part.
    assert len(sql) == session_queries() + 3, sql
    assert len([query for query in sql if "events_event" in query]) == 1, sql


def test_the_page_reads_the_values_the_orm_gives(member):
    network = NetworkFactory()
    event = EventFactory(
        network=network,
        certificates_enabled=True,
        occurrence_date=timezone.localdate() + timedelta(days=14),
        registration_opens=timezone.now().replace(microsecond=0) - timedelta(days=1),
        capacity=1,
    )
    Registration.objects.create(
        event=event,
        user=member,
        status=Registration.Status.WAITLISTED,
        waitlist_position=3,
        offer_expires_at=timezone.now().replace(microsecond=0) + timedelta(hours=5),
    )
    page = event_page_for_user(user=member, slug=event.slug)
    stored = Event.objects.get(pk=event.pk)
    assert {name: getattr(page.event, name) for name in EVENT_FIELDS} == {
        name: getattr(stored, name) for name in EVENT_FIELDS
    }
    assert page.event.certificates_enabled is True
    assert page.event.start.utcoffset() is not None
    assert (page.event.network.slug, page.event.network.name) == (network.slug, network.name)
    registration = Registration.objects.get(event=event, user=member)
    assert {name: getattr(page.registration, name) for name in REGISTRATION_FIELDS} == {
        name: getattr(registration, name) for name in REGISTRATION_FIELDS
    }
    assert page.registration.offer_expires_at.utcoffset() is not None
    assert event_page_for_user(user=AnonymousUser(), slug=event.slug).registration is None


def test_an_event_nobody_may_see_is_not_found_as_before(member, staff):
    invited_only = EventFactory(audience=Event.Audience.INVITATION)
    draft = EventFactory(status=Event.Status.DRAFT)
    invited = UserFactory()
    Invitation.objects.create(event=invited_only, email=invited.email)
    for user, event in ((member, invited_only), (AnonymousUser(), invited_only), (member, draft)):
        with pytest.raises(Http404, match=r"No Event matches the given query\."):
            event_page_for_user(user=user, slug=event.slug)
    assert event_page_for_user(user=invited, slug=invited_only.slug).event.pk == invited_only.pk
    assert event_page_for_user(user=staff, slug=draft.slug).event.pk == draft.pk
    with pytest.raises(Http404):
        event_page_for_user(user=staff, slug="no-such-event")


def _people(count: int, prefix: str) -> list[User]:
    return User.objects.bulk_create(
        User(
            email=f"{prefix}{number}@camden.gov.uk", full_name=f"Person {number}", show_name_to_attendees=True
        )
        for number in range(count)
    )


def _event_with(size: int) -> tuple[Event, dict]:
    """A network meeting with `size` people: half with a place, half waiting (one with an offer);
    and one of each kind of person to look at it."""
    event = EventFactory(
        network=NetworkFactory(),
        kind=Event.Kind.NETWORK_MEETING,
        capacity=size // 2,
        venue="Camden Town Hall",
        description="What we found.",
    )
    SpeakerFactory.create_batch(2, event=event)
    people = _people(size, prefix=f"p{size}-")
    Registration.objects.bulk_create(
        Registration(
            event=event,
            user=person,
            status="confirmed" if number < size // 2 else "waitlisted",
            waitlist_position=None if number < size // 2 else number,
            offer_expires_at=timezone.now() + timedelta(hours=2) if number == size // 2 else None,
        )
        for number, person in enumerate(people)
    )
    event_counts_refresh(event_id=event.pk)
    viewers = {
        "with a place": people[0],
        "offered a place": people[size // 2],
        "waiting": people[-1],
        "not registered": UserFactory(),
        "staff": UserFactory(is_staff=True),
    }
    return event, viewers


@pytest.mark.parametrize(
    "kind", ["signed out", "with a place", "offered a place", "waiting", "not registered", "staff"]
)
def test_each_kind_of_person_gets_the_same_queries_at_any_size(client, kind):
    counts = []
    for size in (10, 400):
        event, viewers = _event_with(size)
        client.logout()
        if kind != "signed out":
            client.force_login(viewers[kind])
        counts.append(len(queries_for(client, reverse("events:event-detail", args=[event.slug]))))
    assert counts[0] == counts[1], f"{kind}: {counts[0]} queries with 10 registrations, {counts[1]} with 400"


def test_what_people_typed_is_escaped_on_the_page(client, member):
    event = EventFactory(
        title="Data <b>& friends</b>",
        summary='Say "hello" <script>',
        venue="Town Hall <1>",
        programme="A&B",
        network=NetworkFactory(name="Leaders <i>"),
        kind=Event.Kind.NETWORK_MEETING,
    )
    member.full_name = "Ada <Lovelace>"
    member.show_name_to_attendees = True
    member.save()
    Registration.objects.create(event=event, user=member, status=Registration.Status.CONFIRMED)
    client.force_login(member)
    html = client.get(reverse("events:event-detail", args=[event.slug])).content.decode()
    for raw in ("<b>& friends</b>", '"hello" <script>', "Town Hall <1>", "Leaders <i>", "Ada <Lovelace>"):
        assert raw not in html
    assert "Data &lt;b&gt;&amp; friends&lt;/b&gt;" in html
    assert "Say &quot;hello&quot; &lt;script&gt;" in html
    assert "<li>Ada &lt;Lovelace&gt;</li>" in html
    assert "search?query=Town%20Hall%20%3C1%3E" in html


def test_calendar_links_quote_as_the_standard_library_does():
    for text in ("", "plain", "a b&c=d+e%f/g?h#i", "Café “quoted” 😀\nnext line", "~._-"):
        parameters = {"text": text, "dates": "20270101T100000Z/20270101T120000Z"}
        assert query_string(parameters) == urlencode(parameters)
