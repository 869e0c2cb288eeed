"""The events list, an event page and My events run a fixed number of queries, however many
events and registrations there are."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event, Registration
from events.services.counts import event_counts_refresh
from networks.models import Network
from tests.factories import EventFactory, SpeakerFactory
from tests.helpers import session_queries

SMALL, LARGE = 10, 1000
SESSION_QUERIES = session_queries()


def make_people(count: int, prefix: str) -> list[User]:
    return User.objects.bulk_create(
        User(email=f"{prefix}{number}@camden.gov.uk", full_name=f"Person {number}") for number in range(count)
    )


def fill(event: Event, people: list[User], capacity: int) -> None:
    """Confirm the first `capacity` people and queue the rest."""
    Registration.objects.bulk_create(
        Registration(
            event=event,
            user=person,
            status="confirmed" if number < capacity else "waitlisted",
            waitlist_position=None if number < capacity else number - capacity + 1,
        )
        for number, person in enumerate(people)
    )
    event_counts_refresh(event_id=event.pk)


@pytest.fixture
def world(db, member):
    """Events with registrations at a given size. The busiest is for borough staff and the member
    is not registered for it (so its page checks whether they may register); they are registered
    for many of the others."""

    def build(size: int):
        network = Network.objects.create(name=f"Network {size}", slug=f"network-{size}", summary="x")
        events = [
            EventFactory(network=network, capacity=size // 2, start=timezone.now() + timedelta(days=day + 1))
            for day in range(3 if size == SMALL else 30)
        ]
        for event in events[:3]:
            SpeakerFactory.create_batch(2, event=event)
        people = make_people(size, prefix=f"p{size}-")
        fill(events[0], people, capacity=size // 2)
        Event.objects.filter(pk=events[0].pk).update(audience=Event.Audience.BOROUGH_STAFF)
        for event in events[1 : (3 if size == SMALL else 26)]:
            Registration.objects.get_or_create(
                event=event, user=member, defaults={"status": "waitlisted", "waitlist_position": 10_000}
            )
        past = EventFactory(start=timezone.now() - timedelta(days=20))
        Registration.objects.create(event=past, user=member, status="attended")
        return events[0]

    return build


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "limit"),
    # Each includes the session (unless Redis keeps it) and the signed-in person.
    [
        # the person, the filter choices (networks, programmes) with the listing's count, the
        # page of events
        ("events:event-list", 3 + SESSION_QUERIES),
        # the event with its counts, its speakers, the person's registration, their organisation
        # (the event is for borough staff), who is coming, the session's materials (followup)
        ("events:event-detail", 6 + SESSION_QUERIES),
        # the events shown (the page is kept under their versions), the calendar feed, and the
        # registrations with, for those waiting, who is ahead of them
        ("events:my-events", 4 + SESSION_QUERIES),
    ],
)
def test_pages_run_a_fixed_number_of_queries(
    client, member, world, django_assert_max_num_queries, name, limit
):
    client.force_login(member)
    client.get(reverse("home"))  # the first request after signing in refreshes the session
    counts = []
    for size in (SMALL, LARGE):
        busiest = world(size)
        url = reverse(name, args=[busiest.slug]) if name == "events:event-detail" else reverse(name)
        # Drawn, not kept: the data here is made in bulk, not through the services that renew
        # the versions pages are kept under.
        caches["pages"].clear()
        with django_assert_max_num_queries(limit):
            counts.append(count_queries(client, url))
    assert counts[0] == counts[1], (
        f"{name}: {counts[0]} queries with {SMALL} registrations, {counts[1]} with {LARGE}"
    )
