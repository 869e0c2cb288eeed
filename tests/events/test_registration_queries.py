"""What one registration through the form costs the database: a fixed number of queries, the same
however many people are registered already, with a place free or only the waiting list left."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from events.models import Event, Registration
from events.services.counts import event_counts_refresh
from tests.factories import EventFactory, UserFactory
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

# The session (unless Redis keeps it) and the person signed in; the event by its address and its
# questions (for the form); then, in the service's transaction (a savepoint here, inside the
# test's): the event locked, the person's registration if any, the registrations counted, the
# registration, its audit entry and its email written, the counts on the event's row.
QUERIES = session_queries() + 1 + 2 + 2 + 7


def _crowd(event: Event, count: int, confirmed: int) -> None:
    people = User.objects.bulk_create(
        User(email=f"crowd{event.pk}-{n}@camden.gov.uk", full_name=f"Person {n}") for n in range(count)
    )
    Registration.objects.bulk_create(
        Registration(
            event=event,
            user=person,
            status="confirmed" if n < confirmed else "waitlisted",
            waitlist_position=None if n < confirmed else n - confirmed + 1,
        )
        for n, person in enumerate(people)
    )
    event_counts_refresh(event_id=event.pk)


@pytest.mark.parametrize("full", [False, True], ids=["a place free", "the waiting list"])
def test_registering_through_the_form_runs_a_fixed_number_of_queries(client, full):
    counts = []
    for size in (10, 1000):
        event = EventFactory(capacity=size if full else size * 2)
        _crowd(event, size, confirmed=size)
        person = UserFactory()
        client.force_login(person)
        url = reverse("events:event-register", args=[event.slug])
        client.get(url)  # the person opens the form first
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {})
        assert response.status_code == 302
        registration = Registration.objects.get(event=event, user=person)
        assert registration.status == ("waitlisted" if full else "confirmed")
        assert registration.waitlist_position == (1 if full else None)
        counts.append(len(captured))
    assert counts == [QUERIES, QUERIES], [query["sql"][:120] for query in captured.captured_queries]


@pytest.mark.parametrize("queue", [False, True], ids=["nobody waiting", "the next person promoted"])
def test_cancelling_through_the_form_runs_a_fixed_number_of_queries(client, queue):
    counts = []
    for size in (10, 1000):
        event = EventFactory(capacity=size + 1)
        _crowd(event, size + (5 if queue else 0), confirmed=size)
        person = UserFactory()
        Registration.objects.create(event=event, user=person, status="confirmed")
        event_counts_refresh(event_id=event.pk)
        client.force_login(person)
        url = reverse("events:event-cancel", args=[event.slug])
        client.get(url)  # the person opens the page that asks them to confirm
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url)
        assert response.status_code == 302
        assert Registration.objects.get(event=event, user=person).status == "cancelled"
        promoted = Registration.objects.filter(event=event, status="confirmed").count()
        assert promoted == size + (1 if queue else 0)
        counts.append(len(captured))
    assert counts[0] == counts[1], [query["sql"][:120] for query in captured.captured_queries]
    # The session and the person; the event by its address and the registration; then the
    # service's: the event locked, the registration again, the registrations counted, the
    # change, its audit entry and email, the counts; for a place freed with someone waiting, the
    # person first in the queue, their promotion, its audit entry and email.
    assert counts[0] == session_queries() + 1 + 2 + 2 + 7 + (4 if queue else 0)
