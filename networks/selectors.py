"""Reads for the networks pages, each a fixed number of queries whatever the number of members."""

from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, F, OuterRef, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.selectors import events_visible_to
from loti_portal.public_cache import person_get, personal_copy, public_get

from . import rules
from .models import Membership, Network, NetworkInvitation

UPCOMING_MEETINGS_SHOWN = 5

# What every visitor sees of a network (its details, member count, next meetings and leads) comes
# from the public cache (loti_portal.public_cache); each person's own membership is read afresh.


def network_member_counts() -> dict[int, int]:
    """Active members per network id."""

    def read():
        return dict(
            Membership.objects.filter(status=Membership.Status.ACTIVE)
            .order_by()
            .values("network")
            .annotate(count=Count("pk"))
            .values_list("network", "count")
        )

    return public_get("networks:member-counts", read=read)


def _upcoming_published(now) -> QuerySet[Event]:
    """What everyone may see coming up (the one visibility rule, as for someone signed out)."""
    return (
        events_visible_to(user=AnonymousUser())
        .filter(status=Event.Status.PUBLISHED, start__gte=now)
        .order_by("start", "id")
    )


def _upcoming_meetings(now) -> QuerySet[Event]:
    """A network's meetings are its events of the kind "network meeting"; its other sessions are not."""
    return _upcoming_published(now).filter(kind=Event.Kind.NETWORK_MEETING)


def _public_networks() -> QuerySet[Network]:
    """Networks with next_meeting_start."""
    return Network.objects.annotate(
        next_meeting_start=Subquery(
            _upcoming_meetings(timezone.now()).filter(network=OuterRef("pk")).values("start")[:1]
        ),
    )


def _with_member_counts(networks: list[Network]) -> list[Network]:
    counts = network_member_counts()
    for network in networks:
        network.member_count = counts.get(network.pk, 0)
    return networks


def _my_statuses(user: User) -> dict[int, str]:
    """The status of each of this person's memberships, by network id (see person_get)."""
    if not user.is_authenticated:
        return {}

    def read():
        return dict(Membership.objects.filter(user=user).order_by().values_list("network_id", "status"))

    return person_get(user, "membership-statuses", read=read)


def network_list_for_user(*, user: User) -> list[Network]:
    """Active networks, by name, each with member_count, next_meeting_start, my_status and
    next_step (see rules.next_step). One query for the person's memberships; the rest is public."""
    networks = public_get(
        "networks:list",
        read=lambda: _with_member_counts(
            list(_public_networks().filter(status=Network.Status.ACTIVE).order_by("name"))
        ),
    )
    statuses = _my_statuses(user)
    networks = [personal_copy(network) for network in networks]
    for network in networks:
        network.my_status = statuses.get(network.pk)
        _add_personal_view(network, user=user)
    return networks


def network_get_for_user(*, user: User, slug: str) -> Network:
    """One network, annotated as in network_list_for_user. Archived networks exist only for staff.

    Raises Http404.
    """

    def read():
        network = _public_networks().filter(slug=slug).first()
        return None if network is None else _with_member_counts([network])[0]

    network = public_get("networks:network", slug, read=read)
    if network is None or (not network.is_active and not user.is_staff):
        raise Http404("No such network")
    network = personal_copy(network)
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


def network_upcoming_events(*, network: Network) -> tuple[list[Event], list[Event]]:
    """The network's next published meetings, and apart from them its next other sessions (a
    careers day, a course), each soonest first and at most UPCOMING_MEETINGS_SHOWN: one query."""

    def read():
        is_meeting = Case(When(kind=Event.Kind.NETWORK_MEETING, then=Value(True)), default=Value(False))
        events = list(
            _upcoming_published(timezone.now())
            .filter(network=network)
            .annotate(
                is_meeting=is_meeting,
                place_in_list=Window(RowNumber(), partition_by=[is_meeting], order_by=[F("start"), F("id")]),
            )
            .filter(place_in_list__lte=UPCOMING_MEETINGS_SHOWN)
        )
        return [e for e in events if e.is_meeting], [e for e in events if not e.is_meeting]

    return public_get("networks:meetings", network.pk, read=read)


class Lead(NamedTuple):
    """A lead or co-chair as the network's page shows them: names only."""

    name: str
    organisation: str
    role: str  # "lead", "co-chair"
    user_id: int | None = None  # never shown; tells a lead their own "Manage this network" link


def network_leads(*, network: Network) -> list[Lead]:
    """The network's leads, then its co-chairs, with their organisations.

    The same for everyone signed in (loti_portal.public_cache).
    """

    def read():
        rows = (
            Membership.objects.filter(
                network=network,
                status=Membership.Status.ACTIVE,
                role__in=[Membership.Role.LEAD, Membership.Role.CO_CHAIR],
            )
            .order_by(
                Case(When(role=Membership.Role.LEAD, then=Value(0)), default=Value(1)), "user__full_name"
            )
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

    return public_get("networks:leads", network.pk, read=read)


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
