"""Reads for the networks pages, each a fixed number of queries whatever the number of members
or registrations. The pages draw what these return as it is: plain values, with their addresses
made once per page rather than once per item."""

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, F, Max, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.selectors import events_visible_to

from . import rules
from .manage import LEAD_ROLES
from .models import Membership, Network, NetworkInvitation

UPCOMING_MEETINGS_SHOWN = 5


def address_by_slug(url_name: str) -> Callable[[str], str]:
    """A function giving the address of `url_name` for a slug, reversing the URL once rather than
    once for every item of a list."""
    placeholder = "slug-placeholder"
    pattern = reverse(url_name, args=[placeholder])
    before, after = pattern.split(placeholder)
    return lambda slug: f"{before}{slug}{after}"


def _with_membership_figures(networks: QuerySet[Network], *, user: User) -> QuerySet[Network]:
    """Networks with member_count (active members), and for a signed-in person my_status (their
    own membership's, or None): read over one join of the memberships, since a person has at most
    one membership in a network."""
    figures = {"member_count": Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE))}
    if user.is_authenticated:
        figures["my_status"] = Max("memberships__status", filter=Q(memberships__user=user))
    return networks.annotate(**figures)


def _add_personal_view(network: Network, *, user: User) -> None:
    if not user.is_authenticated:
        network.my_status = None
    network.next_step = rules.next_step(user=user, network=network, status=network.my_status)
    network.refusal = (
        rules.entry_refusal(user=user, network=network, status=network.my_status)
        if network.next_step == "refused"
        else None
    )


def network_list_for_user(*, user: User) -> list[Network]:
    """Active networks, by name, each with its page's address (url), member_count,
    next_meeting_start (the start of its next published meeting this person may see,
    events_visible_to), my_status and next_step (see rules.next_step). Two queries: the networks
    with their figures, and the next meetings."""
    active = Network.objects.filter(status=Network.Status.ACTIVE).order_by("name")
    networks = list(_with_membership_figures(active, user=user))
    next_meetings = dict(
        events_visible_to(user=user)
        .filter(kind=Event.Kind.NETWORK_MEETING, status=Event.Status.PUBLISHED, start__gte=timezone.now())
        .order_by()
        .values_list("network_id")
        .annotate(next_start=Min("start"))
    )
    address = address_by_slug("networks:network-detail")
    for network in networks:
        network.next_meeting_start = next_meetings.get(network.pk)
        network.url = address(network.slug)
        _add_personal_view(network, user=user)
    return networks


def network_get_for_user(*, user: User, slug: str) -> Network:
    """One network, with member_count, my_status, next_step and refusal (as in
    network_list_for_user, without its next meeting): one query. Archived networks exist only
    for staff.

    Raises Http404.
    """
    found = list(_with_membership_figures(Network.objects.filter(slug=slug), user=user))
    if not found or (not found[0].is_active and not user.is_staff):
        raise Http404("No such network")
    network = found[0]
    _add_personal_view(network, user=user)
    return network


class UpcomingEvent(NamedTuple):
    """A meeting or session as a network's page lists it."""

    title: str
    url: str
    start: datetime


def network_upcoming_events(
    *, network: Network, user: User
) -> tuple[list[UpcomingEvent], list[UpcomingEvent]]:
    """The network's next published meetings, and apart from them its next other sessions (a
    careers day, a course), that this person may see (events_visible_to), each soonest first and
    at most UPCOMING_MEETINGS_SHOWN: one query, the first few of each kind of event."""
    rows = (
        events_visible_to(user=user)
        .filter(network=network, status=Event.Status.PUBLISHED, start__gte=timezone.now())
        .annotate(place_in_kind=Window(RowNumber(), partition_by=F("kind"), order_by=(F("start"), F("id"))))
        .filter(place_in_kind__lte=UPCOMING_MEETINGS_SHOWN)
        .values_list("kind", "start", "id", "title", "slug")
    )
    address = address_by_slug("events:event-detail")
    meetings, sessions = [], []
    for kind, start, _id, title, slug in sorted(rows, key=lambda row: (row[1], row[2])):
        shown = meetings if kind == Event.Kind.NETWORK_MEETING else sessions
        if len(shown) < UPCOMING_MEETINGS_SHOWN:
            shown.append(UpcomingEvent(title=title, url=address(slug), start=start))
    return meetings, sessions


class Lead(NamedTuple):
    """A lead or co-chair as the network's page shows them: names only."""

    name: str
    organisation: str
    role: str  # "lead", "co-chair"
    user_id: int | None = None  # never shown; tells a lead their own "Manage this network" link


def network_leads(*, network: Network) -> list[Lead]:
    """The network's leads, then its co-chairs, each by name, with their organisations."""
    rows = (
        Membership.objects.filter(network=network, status=Membership.Status.ACTIVE, role__in=LEAD_ROLES)
        .order_by("user__full_name")
        .values_list("user__full_name", "user__organisation__name", "role", "user_id")
    )
    labels = {role.value: role.label.lower() for role in LEAD_ROLES}
    # sorted() keeps the database's order of names within each role.
    return [
        Lead(name=name, organisation=organisation or "", role=labels[role], user_id=user_id)
        for name, organisation, role, user_id in sorted(rows, key=lambda row: row[2] != Membership.Role.LEAD)
    ]


def network_managed_by(*, network: Network, user: User, leads: list[Lead]) -> bool:
    """Whether the network's page offers the person "Manage this network": staff, and its active
    leads and co-chairs (those manage.network_get_for_lead lets in), told from the network's
    my_status and its leads (network_leads): no query."""
    return user.is_staff or (
        network.my_status == Membership.Status.ACTIVE and any(lead.user_id == user.pk for lead in leads)
    )


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
