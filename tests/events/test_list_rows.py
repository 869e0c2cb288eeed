"""The events list reads its rows with its own SQL (events/selectors_list.py): it lists exactly
what the one visibility rule and the filters give through the ORM, for every kind of person,
every filter and both directions in time, with the values the ORM reads, and runs the same
number of queries whatever the amount of data."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event, Registration
from events.selectors import (
    EVENTS_PER_PAGE,
    LiveCard,
    event_list_page_for_user,
    event_listing_summary,
    event_live_cards_by_id,
    events_visible_to,
    public_sessions_upcoming,
)
from networks.models import Membership, Network
from tests.factories import EventFactory
from tests.helpers import session_queries

CARD_COLUMNS = (
    "id",
    "slug",
    "title",
    "summary",
    "status",
    "kind",
    "audience",
    "programme",
    "start",
    "end",
    "venue",
    "online_url",
    "mode",
    "capacity",
    "online_capacity",
    "places_taken",
    "online_places_taken",
    "network_id",
)


@pytest.fixture
def demo(db):
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    networks = list(Network.objects.order_by("pk"))
    now = timezone.now().replace(microsecond=0)
    for number in range(30):
        start = now + timedelta(days=(number - 10) * 3, hours=number)
        EventFactory(
            start=start,
            end=start + timedelta(hours=2),
            network=networks[number % len(networks)] if number % 4 else None,
            programme=["", "Digital skills", "Data & AI"][number % 3],
            kind=Event.Kind.values[number % len(Event.Kind.values)],
            audience=Event.Audience.values[number % len(Event.Audience.values)],
            status=[Event.Status.PUBLISHED, Event.Status.CANCELLED, Event.Status.DRAFT][number % 5 % 3],
            capacity=number if number % 2 else None,
        )


def viewers() -> dict:
    pending = Membership.objects.filter(status=Membership.Status.PENDING).order_by("pk").first()
    return {
        "guest": AnonymousUser(),
        "member": User.objects.get(email="amara.okafor@camden.gov.uk"),
        "partner": User.objects.get(email="daniel.clarke@met.police.uk"),
        "pending applicant": pending.user,
        "staff": User.objects.get(email="networks@loti.london"),
    }


def _orm_listing(user, now, *, past, network=None, kind="", programme=""):
    events = events_visible_to(user=user)
    events = events.filter(end__lt=now).order_by("-start", "-id") if past else events.filter(end__gte=now)
    if not past:
        events = events.order_by("start", "id")
    if network is not None:
        events = events.filter(network_id=network.id)
    if kind:
        events = events.filter(kind=kind)
    if programme:
        events = events.filter(programme=programme)
    return events


@pytest.mark.parametrize("viewer", ["guest", "member", "partner", "pending applicant", "staff"])
def test_the_listing_is_what_the_visibility_rule_and_the_filters_give(demo, viewer):
    user = viewers()[viewer]
    now = timezone.now()
    summary = event_listing_summary(user=user, now=now)
    visible = events_visible_to(user=user)

    networks = Network.objects.filter(pk__in=visible.values("network_id")).order_by("name", "pk")
    assert [(n.id, n.slug, n.name) for n in summary.networks] == [(n.id, n.slug, n.name) for n in networks]
    programmes = set(visible.exclude(programme="").values_list("programme", flat=True))
    assert summary.programmes == sorted(programmes) and programmes

    for past in (False, True):
        for network in (None, *summary.networks):
            for kind in ("", *Event.Kind.values):
                for programme in ("", *summary.programmes):
                    filters = {"network": network, "kind": kind, "programme": programme}
                    expected = _orm_listing(user, now, past=past, **filters).count()
                    assert summary.count(past=past, **filters) == expected, (past, filters)

        for network in (None, *summary.networks):
            expected = _orm_listing(user, now, past=past, network=network)
            listed, number = [], 1
            while True:
                page = event_list_page_for_user(
                    user=user, page_number=number, summary=summary, past=past, network=network, now=now
                )
                assert page.number == number
                listed += page.object_list
                if not page.has_next():
                    break
                number += 1
            assert [card.id for card in listed] == list(expected.values_list("id", flat=True))
            rows = {row[0]: row for row in expected.values_list(*CARD_COLUMNS, "network__name")}
            mine = (
                dict(Registration.objects.filter(user=user).values_list("event_id", "status"))
                if user.is_authenticated
                else {}
            )
            for card in listed:
                assert tuple(card)[: len(CARD_COLUMNS) + 1] == rows[card.id]
                assert card.my_status == mine.get(card.id)
            assert event_live_cards_by_id(user=user, ids=[card.id for card in listed]) == {
                card.id: tuple(getattr(card, name) for name in LiveCard._fields) for card in listed
            }


def test_a_page_past_the_last_shows_the_last_and_an_empty_listing_reads_no_page(db, member):
    EventFactory.create_batch(EVENTS_PER_PAGE + 3)
    summary = event_listing_summary(user=member)
    page = event_list_page_for_user(user=member, page_number=7, summary=summary)
    assert (page.number, len(page.object_list), page.paginator.count) == (2, 3, EVENTS_PER_PAGE + 3)
    with CaptureQueriesContext(connection) as queries:
        page = event_list_page_for_user(user=member, page_number=1, summary=summary, past=True)
    assert (page.number, page.object_list, len(queries)) == (1, [], 0)


def test_an_event_the_person_may_not_see_is_not_read_by_id(db, member):
    hidden = EventFactory(audience=Event.Audience.INVITATION)
    draft = EventFactory(status=Event.Status.DRAFT)
    shown = EventFactory()
    assert set(event_live_cards_by_id(user=member, ids=[hidden.id, draft.id, shown.id])) == {shown.id}
    assert public_sessions_upcoming() == []


@pytest.mark.parametrize(
    "query", ["?network=network-{size}&page=2", "?kind=discovery&programme=Data", "?page=3", "past"]
)
def test_filtered_and_past_listings_run_a_fixed_number_of_queries(client, member, query):
    client.force_login(member)
    client.get(reverse("home"))  # the first request after signing in refreshes the session
    counts = []
    for size in (10, 200):
        network = Network.objects.create(name=f"Network {size}", slug=f"network-{size}", summary="x")
        for number in range(size):
            start = timezone.now() + timedelta(days=number - size // 2)
            event = EventFactory(
                network=network, programme="Data", start=start, end=start + timedelta(hours=1), capacity=5
            )
            if number % 3 == 0:
                Registration.objects.create(event=event, user=member, status="confirmed")
        path = reverse("events:event-archive") if query == "past" else reverse("events:event-list")
        path += "" if query == "past" else query.format(size=size)
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        assert len(response.context["page"].object_list) > 0
        counts.append(len(queries))
    # The person, the filters with the count, the page of cards.
    assert counts == [3 + session_queries()] * 2
