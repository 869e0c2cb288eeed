"""Reads for the networks pages, each a fixed number of queries whatever the number of members."""

from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Count, OuterRef, QuerySet, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from events.models import Event

from . import rules
from .models import Membership, Network, NetworkInvitation

UPCOMING_MEETINGS_SHOWN = 5

# What every visitor sees alike (member counts, a network's leads) is kept in the cache for a
# short while. The services that change it forget it (network_public_forget), so the wait is
# only ever for changes made some other way, such as a person renaming themselves.
PUBLIC_CACHE_SECONDS = 60
_MEMBER_COUNTS_KEY = "networks:member-counts"


def _leads_key(network_id: int) -> str:
    return f"networks:{network_id}:leads"


def network_public_forget(*, network_id: int) -> None:
    """Drop the cached public figures of a network: now, and again once the caller's
    transaction commits (a page read in between may have cached the old figures)."""

    def forget():
        cache.delete_many([_MEMBER_COUNTS_KEY, _leads_key(network_id)])

    forget()
    transaction.on_commit(forget)


def network_member_counts() -> dict[int, int]:
    """Active members per network id, from the cache (one query when it has expired)."""
    counts = cache.get(_MEMBER_COUNTS_KEY)
    if counts is None:
        counts = dict(
            Membership.objects.filter(status=Membership.Status.ACTIVE)
            .order_by()
            .values("network")
            .annotate(count=Count("pk"))
            .values_list("network", "count")
        )
        cache.set(_MEMBER_COUNTS_KEY, counts, PUBLIC_CACHE_SECONDS)
    return counts


def _upcoming_meetings(now) -> QuerySet[Event]:
    return Event.objects.filter(status=Event.Status.PUBLISHED, start__gte=now).order_by("start", "id")


def _annotated_networks(*, user: User) -> QuerySet[Network]:
    """Networks with next_meeting_start and, for a signed-in person, my_status."""
    networks = Network.objects.annotate(
        next_meeting_start=Subquery(
            _upcoming_meetings(timezone.now()).filter(network=OuterRef("pk")).values("start")[:1]
        ),
    )
    if user.is_authenticated:
        networks = networks.annotate(
            my_status=Subquery(
                Membership.objects.filter(network=OuterRef("pk"), user=user).order_by().values("status")[:1]
            )
        )
    return networks


def _add_member_counts(networks: list[Network]) -> None:
    counts = network_member_counts()
    for network in networks:
        network.member_count = counts.get(network.pk, 0)


def network_list_for_user(*, user: User) -> list[Network]:
    """Active networks, by name, each with member_count, next_meeting_start, my_status and
    next_step (see rules.next_step). One query, and one more when the member counts have
    left the cache."""
    networks = list(_annotated_networks(user=user).filter(status=Network.Status.ACTIVE).order_by("name"))
    _add_member_counts(networks)
    for network in networks:
        _add_personal_view(network, user=user)
    return networks


def network_get_for_user(*, user: User, slug: str) -> Network:
    """One network, annotated as in network_list_for_user. Archived networks exist only for staff.

    Raises Http404.
    """
    network = get_object_or_404(_annotated_networks(user=user), slug=slug)
    if not network.is_active and not user.is_staff:
        raise Http404("No such network")
    _add_member_counts([network])
    _add_personal_view(network, user=user)
    return network


def _add_personal_view(network: Network, *, user: User) -> None:
    network.my_status = getattr(network, "my_status", None)
    network.next_step = rules.next_step(user=user, network=network, status=network.my_status)
    network.refusal = (
        rules.entry_refusal(user=user, network=network, status=network.my_status)
        if network.next_step == "refused"
        else None
    )


def network_upcoming_meetings(*, network: Network) -> list[Event]:
    """The network's next published meetings, soonest first."""
    return list(_upcoming_meetings(timezone.now()).filter(network=network)[:UPCOMING_MEETINGS_SHOWN])


class Lead(NamedTuple):
    """A lead or co-chair as the network's page shows them: names only."""

    name: str
    organisation: str
    role: str  # "lead", "co-chair"


def network_leads(*, network: Network) -> list[Lead]:
    """The network's leads, then its co-chairs, with their organisations.

    The same for everyone signed in, so kept in the cache briefly (see PUBLIC_CACHE_SECONDS).
    """
    key = _leads_key(network.pk)
    leads = cache.get(key)
    if leads is None:
        rows = (
            Membership.objects.filter(
                network=network,
                status=Membership.Status.ACTIVE,
                role__in=[Membership.Role.LEAD, Membership.Role.CO_CHAIR],
            )
            .order_by(
                Case(When(role=Membership.Role.LEAD, then=Value(0)), default=Value(1)), "user__full_name"
            )
            .values_list("user__full_name", "user__organisation__name", "role")
        )
        leads = [
            Lead(name=name, organisation=organisation or "", role=Membership.Role(role).label.lower())
            for name, organisation, role in rows
        ]
        cache.set(key, leads, PUBLIC_CACHE_SECONDS)
    return leads


def membership_list_for_user(*, user: User) -> list[Membership]:
    """Every membership the person has had, current ones first, by network name."""
    order = {Membership.Status.ACTIVE: 0, Membership.Status.PENDING: 1}
    memberships = list(Membership.objects.filter(user=user).select_related("network"))
    return sorted(memberships, key=lambda m: (order.get(m.status, 2), m.network.name))


def membership_get_for_leaving(*, user: User, slug: str) -> Membership:
    """The person's own current membership (or pending application) in the network. Raises Http404."""
    return get_object_or_404(
        Membership.objects.select_related("network"),
        user=user,
        network__slug=slug,
        status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING],
    )


def networks_to_choose_for_user(*, user: User) -> list[Network]:
    """The active networks the person could join or apply to now, by name: open and approval
    networks their organisation may join, where they are not a member, applicant or removed."""
    networks = network_list_for_user(user=user)
    return [network for network in networks if network.next_step in ("join", "apply")]


def invitation_get_by_token(*, token: str) -> NetworkInvitation:
    """The invitation a link names. Raises Http404 for an unknown token."""
    return get_object_or_404(NetworkInvitation.objects.select_related("network"), token=token)
