"""Reads for the networks pages, each a fixed number of queries whatever the number of members."""

from typing import NamedTuple

from django.db.models import Case, Count, F, OuterRef, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.selectors import events_visible_to

from . import rules
from .models import Membership, Network, NetworkInvitation

UPCOMING_MEETINGS_SHOWN = 5


def _active_members() -> QuerySet[Membership]:
    return Membership.objects.filter(status=Membership.Status.ACTIVE)


def _upcoming_published(*, user, now) -> QuerySet[Event]:
    """Published events to come that this person may see (events_visible_to), soonest first."""
    return (
        events_visible_to(user=user)
        .filter(status=Event.Status.PUBLISHED, start__gte=now)
        .order_by("start", "id")
    )


def _upcoming_meetings(*, user, now) -> QuerySet[Event]:
    """A network's meetings are its events of the kind "network meeting"; its other sessions are not."""
    return _upcoming_published(user=user, now=now).filter(kind=Event.Kind.NETWORK_MEETING)


def _networks_seen_by(*, user) -> QuerySet[Network]:
    """Networks with member_count and next_meeting_start (the next event this person may see),
    each a subquery on an index."""
    members = (
        _active_members().filter(network=OuterRef("pk")).order_by().values("network").annotate(n=Count("pk"))
    )
    return Network.objects.annotate(
        member_count=Coalesce(Subquery(members.values("n")), 0),
        next_meeting_start=Subquery(
            _upcoming_meetings(user=user, now=timezone.now())
            .filter(network=OuterRef("pk"))
            .values("start")[:1]
        ),
    )


def _my_statuses(user: User) -> dict[int, str]:
    """The status of each of this person's memberships, by network id."""
    if not user.is_authenticated:
        return {}
    return dict(Membership.objects.filter(user=user).order_by().values_list("network_id", "status"))


def network_list_for_user(*, user: User) -> list[Network]:
    """Active networks, by name, each with member_count, next_meeting_start, my_status and
    next_step (see rules.next_step). One query for the networks, one for the person's memberships."""
    networks = list(_networks_seen_by(user=user).filter(status=Network.Status.ACTIVE).order_by("name"))
    statuses = _my_statuses(user)
    for network in networks:
        network.my_status = statuses.get(network.pk)
        _add_personal_view(network, user=user)
    return networks


def network_get_for_user(*, user: User, slug: str) -> Network:
    """One network, annotated as in network_list_for_user. Archived networks exist only for staff.

    Raises Http404.
    """
    network = _networks_seen_by(user=user).filter(slug=slug).first()
    if network is None or (not network.is_active and not user.is_staff):
        raise Http404("No such network")
    network.my_status = _my_statuses(user).get(network.pk)
    _add_personal_view(network, user=user)
    return network


def _add_personal_view(network: Network, *, user: User) -> None:
    network.next_step = rules.next_step(user=user, network=network, status=network.my_status)
    network.refusal = (
        rules.entry_refusal(user=user, network=network, status=network.my_status)
        if network.next_step == "refused"
        else None
    )


def network_upcoming_events(*, network: Network, user: User) -> tuple[list[Event], list[Event]]:
    """The network's next published meetings, and apart from them its next other sessions (a
    careers day, a course), that this person may see (events_visible_to), each soonest first and
    at most UPCOMING_MEETINGS_SHOWN: one query."""
    is_meeting = Case(When(kind=Event.Kind.NETWORK_MEETING, then=Value(True)), default=Value(False))
    events = list(
        _upcoming_published(user=user, now=timezone.now())
        .filter(network=network)
        .annotate(
            is_meeting=is_meeting,
            place_in_list=Window(RowNumber(), partition_by=[is_meeting], order_by=[F("start"), F("id")]),
        )
        .filter(place_in_list__lte=UPCOMING_MEETINGS_SHOWN)
    )
    return [e for e in events if e.is_meeting], [e for e in events if not e.is_meeting]


class Lead(NamedTuple):
    """A lead or co-chair as the network's page shows them: names only."""

    name: str
    organisation: str
    role: str  # "lead", "co-chair"
    user_id: int | None = None  # never shown; tells a lead their own "Manage this network" link


def network_leads(*, network: Network) -> list[Lead]:
    """The network's leads, then its co-chairs, with their organisations."""
    rows = (
        Membership.objects.filter(
            network=network,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.LEAD, Membership.Role.CO_CHAIR],
        )
        .order_by(Case(When(role=Membership.Role.LEAD, then=Value(0)), default=Value(1)), "user__full_name")
        .values_list("user__full_name", "user__organisation__name", "role", "user_id")
    )
    return [
        Lead(
            name=name,
            organisation=organisation or "",
            role=Membership.Role(role).label.lower(),
            user_id=user_id,
        )
        for name, organisation, role, user_id in rows
    ]


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
