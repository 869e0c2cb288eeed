"""The networks list and a network's page run the same number of queries with 10 or 1,000 members:
with nothing in the cache, and with the member counts and leads the first request cached."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event
from networks.models import Membership
from tests.factories import MembershipFactory, NetworkFactory

# Warm: session, user, the person's memberships, and on the list the person's organisation (it
# decides what they may join). Cold adds what every visitor sees alike: the networks, their
# member counts, and on a network's page its meetings and leads.
LIST_QUERIES = {"cold": 6, "warm": 4}
PAGE_QUERIES = {"cold": 7, "warm": 3}


def get_cold_then_warm(client, url, django_assert_num_queries, expected):
    cache.clear()
    responses = []
    for state in ("cold", "warm"):
        with django_assert_num_queries(expected[state]):
            responses.append(client.get(url))
        assert responses[-1].status_code == 200
    return responses[-1]


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
            network=network,
            start=start,
            end=start + timedelta(hours=1),
            status=Event.Status.PUBLISHED,
        )


@pytest.fixture
def networks(org):
    created = [
        NetworkFactory(name=name) for name in ("Data Leaders", "Data Scientists", "Data Practitioners")
    ]
    return created


@pytest.mark.parametrize("members", [10, 1000])
def test_networks_list_runs_a_fixed_number_of_queries(
    client, member, org, networks, members, django_assert_num_queries
):
    for network in networks:
        populate(network, members=members, organisation=org)
    MembershipFactory(user=member, network=networks[0])
    client.force_login(member)
    client.get(reverse("home"))  # the first request after signing in refreshes the session
    response = get_cold_then_warm(
        client, reverse("networks:network-list"), django_assert_num_queries, LIST_QUERIES
    )
    assert [network.member_count for network in response.context["networks"]] == [
        members + 1,
        members,
        members,
    ]


@pytest.mark.parametrize("members", [10, 1000])
def test_network_page_runs_a_fixed_number_of_queries(
    client, member, org, networks, members, django_assert_num_queries
):
    network = networks[0]
    populate(network, members=members, organisation=org)
    MembershipFactory(user=member, network=network)
    client.force_login(member)
    client.get(reverse("home"))
    response = get_cold_then_warm(
        client,
        reverse("networks:network-detail", args=[network.slug]),
        django_assert_num_queries,
        PAGE_QUERIES,
    )
    assert response.context["network"].member_count == members + 1
    assert len(response.context["meetings"]) == 3
    assert len(response.context["leads"]) == len(range(0, members, 250))
