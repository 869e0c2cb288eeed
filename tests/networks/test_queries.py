"""The networks list and a network's page run the same number of queries with 10 or 1,000 members."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event
from networks.models import Membership
from tests.factories import MembershipFactory, NetworkFactory
from tests.helpers import session_queries

SIZES = (10, 1000)
# The session (unless sessions are cached, in Redis) and the person; then on the list the networks
# with their member counts, the person's memberships and their next meetings (one query), and the
# person's organisation (who may join which); on a network's page the network with its member
# count and the person's membership, its meetings and sessions, and its leads.
SESSION_QUERIES = session_queries()
LIST_LIMIT = 1 + 2 + SESSION_QUERIES
# A member's network page also reads its mentoring programmes, circles and their request for a
# circle (mentoring.templatetags.mentoring_for_network): one query.
PAGE_LIMIT = 1 + 3 + 1 + SESSION_QUERIES


def measure(client, url, django_assert_max_num_queries, limit):
    """The query count of one request for the page, and the response."""
    # Drawn, not kept: the data here is made in bulk, not through the services that renew the
    # versions pages are kept under.
    caches["pages"].clear()
    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def populate(network, *, members, organisation):
    people = User.objects.bulk_create(
        User(email=f"{network.slug}-{n}@camden.gov.uk", full_name=f"Person {n}", organisation=organisation)
        for n in range(members)
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(
            user=person,
            network=network,
            status=Membership.Status.ACTIVE,
            role=Membership.Role.LEAD if n % 250 == 0 else Membership.Role.MEMBER,
            joined_at=now,
        )
        for n, person in enumerate(people)
    )
    for days in (7, 37, 67):
        start = now + timedelta(days=days)
        Event.objects.create(
            title=f"{network.name} meeting in {days} days",
            slug=f"{network.slug}-{days}",
            kind=Event.Kind.NETWORK_MEETING,
            network=network,
            start=start,
            end=start + timedelta(hours=1),
            status=Event.Status.PUBLISHED,
        )


def make_networks(size: int, organisation) -> list:
    networks = [
        NetworkFactory(name=f"{name} {size}")
        for name in ("Data Leaders", "Data Scientists", "Data Practitioners")
    ]
    for network in networks:
        populate(network, members=size, organisation=organisation)
    return networks


def test_networks_list_runs_a_fixed_number_of_queries(client, member, org, django_assert_max_num_queries):
    client.force_login(member)
    client.get(reverse("home"))  # the first request after signing in refreshes the session
    counts = []
    for size in SIZES:
        networks = make_networks(size, org)
        MembershipFactory(user=member, network=networks[0])
        measured, response = measure(
            client, reverse("networks:network-list"), django_assert_max_num_queries, LIST_LIMIT
        )
        counts.append(measured)
        shown = {network.name: network.member_count for network in response.context["networks"]}
        assert [shown[network.name] for network in networks] == [size + 1, size, size]
    assert counts[0] == counts[1]


def test_network_page_runs_a_fixed_number_of_queries(client, member, org, django_assert_max_num_queries):
    client.force_login(member)
    client.get(reverse("home"))
    counts = []
    for size in SIZES:
        network = make_networks(size, org)[0]
        MembershipFactory(user=member, network=network)
        measured, response = measure(
            client,
            reverse("networks:network-detail", args=[network.slug]),
            django_assert_max_num_queries,
            PAGE_LIMIT,
        )
        counts.append(measured)
        assert response.context["network"].member_count == size + 1
        assert len(response.context["meetings"]) == 3
        assert len(response.context["leads"]) == len(range(0, size, 250))
    assert counts[0] == counts[1]


# Queries each kind of person's request runs besides the session: (the list, a network's page).
# The person (when signed in); on the list the networks with their figures and next meetings, and
# the person's organisation when they have one and a network they are not in names who may join
# (here one for borough staff); on a network's page (one anyone may join) the network, its
# meetings and sessions, its leads (signed in) and its mentoring (members and staff).
PEOPLE_QUERIES = {
    "guest": (1, 2),
    "member": (3, 5),
    "lead": (3, 5),
    "pending applicant": (3, 4),
    "outsider": (3, 4),
    "staff": (2, 5),
}


@pytest.mark.parametrize("person", PEOPLE_QUERIES)
def test_each_kind_of_person_runs_the_same_few_queries_whatever_the_size(
    client, person, member, outsider, staff, org, django_assert_max_num_queries
):
    user = {"guest": None, "member": member, "lead": member, "pending applicant": member}.get(
        person, {"outsider": outsider, "staff": staff}.get(person)
    )
    if user is not None:
        client.force_login(user)
        client.get(reverse("home"))
    expected_list, expected_page = PEOPLE_QUERIES[person]
    NetworkFactory(name="Borough leaders", eligible_organisation_kinds=["borough"])
    session = SESSION_QUERIES if user is not None else 0
    for size in SIZES:
        network = make_networks(size, org)[0]
        if person in ("member", "lead", "pending applicant"):
            MembershipFactory(
                user=member,
                network=network,
                status=Membership.Status.PENDING
                if person == "pending applicant"
                else Membership.Status.ACTIVE,
                role=Membership.Role.LEAD if person == "lead" else Membership.Role.MEMBER,
            )
        listed, _ = measure(
            client, reverse("networks:network-list"), django_assert_max_num_queries, expected_list + session
        )
        shown, response = measure(
            client,
            reverse("networks:network-detail", args=[network.slug]),
            django_assert_max_num_queries,
            expected_page + session,
        )
        assert (listed, shown) == (expected_list + session, expected_page + session)
        assert response.context["network"].member_count == size + (person in ("member", "lead"))
