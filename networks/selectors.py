"""Reads for the networks pages, each a fixed number of queries whatever the number of members
or registrations. The pages draw what these return as it is: plain values, with their addresses
made once per page rather than once per item."""

from datetime import datetime
from typing import NamedTuple

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Organisation, User
from events.models import Event
from events.visibility import visible_condition
from loti_portal import sql
from loti_portal.sql import table
from loti_portal.utils import address_by_slug

from . import rules
from .manage import LEAD_ROLES
from .models import Membership, Network, NetworkInvitation

UPCOMING_MEETINGS_SHOWN = 5


def _network_rows(*, user: User, where: str, params: list, next_meeting: bool = False) -> list[Network]:
    """Networks (every field, as Network.from_db builds them) with member_count (active members)
    and my_status (the person's own membership's status, None if they have none or are signed
    out: a person has at most one membership in a network), and with `next_meeting` also
    next_meeting_start: the start of its next published meeting this person may see
    (events.visibility.visible_condition). One query, by name."""
    figures = [
        f"(SELECT COUNT(*) FROM {table(Membership)} m WHERE m.network_id = n.id AND m.status = %s)",  # noqa: S608
        f"(SELECT MAX(m.status) FROM {table(Membership)} m WHERE m.network_id = n.id AND m.user_id = %s)",  # noqa: S608
    ]
    figure_params = [Membership.Status.ACTIVE, user.pk if user.is_authenticated else None]
    if next_meeting:
        condition = visible_condition(user=user, alias="e")
        visible, visible_params = ("", []) if condition is None else (f" AND {condition[0]}", condition[1])
        figures.append(
            f"(SELECT MIN(e.start) FROM {table(Event)} e WHERE e.network_id = n.id"  # noqa: S608
            f" AND e.kind = %s AND e.status = %s AND e.start >= %s{visible})"
        )
        figure_params += [Event.Kind.NETWORK_MEETING, Event.Status.PUBLISHED, timezone.now(), *visible_params]
    width = len(Network._meta.concrete_fields)
    found = sql.rows(
        f"SELECT {sql.columns(Network, 'n')}, {', '.join(figures)}"  # noqa: S608
        f" FROM {table(Network)} n WHERE {where} ORDER BY n.name",
        [*figure_params, *params],
        datetimes=(width + 2,) if next_meeting else (),
    )
    extra = ("member_count", "my_status", "next_meeting_start")[: len(figures)]
    return sql.instances(Network, found, extra=extra)


def _add_personal_view(network: Network, *, user: User) -> None:
    network.next_step = rules.next_step(user=user, network=network, status=network.my_status)
    network.refusal = (
        rules.entry_refusal(user=user, network=network, status=network.my_status)
        if network.next_step == "refused"
        else None
    )


def network_list_for_user(*, user: User) -> list[Network]:
    """Active networks, by name, each with its page's address (url), member_count,
    next_meeting_start (the start of its next published meeting this person may see,
    events_visible_to), my_status and next_step (see rules.next_step). One query."""
    networks = _network_rows(
        user=user, where="n.status = %s", params=[Network.Status.ACTIVE], next_meeting=True
    )
    address = address_by_slug("networks:network-detail")
    for network in networks:
        network.url = address(network.slug)
        _add_personal_view(network, user=user)
    return networks


def network_get_for_user(*, user: User, slug: str) -> Network:
    """One network, with member_count, my_status, next_step and refusal (as in
    network_list_for_user, without its next meeting): one query. Archived networks exist only
    for staff.

    Raises Http404.
    """
    found = _network_rows(user=user, where="n.slug = %s", params=[slug])
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
    careers day, a course), that this person may see (events.visibility.visible_condition), each
    soonest first and at most UPCOMING_MEETINGS_SHOWN: one query, the first few of each."""
    condition = visible_condition(user=user, alias="e")
    visible, visible_params = ("", []) if condition is None else (f" AND {condition[0]}", condition[1])
    found = sql.rows(
        "SELECT is_meeting, start, title, slug FROM ("  # noqa: S608
        " SELECT CASE WHEN e.kind = %s THEN 1 ELSE 0 END AS is_meeting, e.start, e.id, e.title, e.slug,"
        "  ROW_NUMBER() OVER (PARTITION BY CASE WHEN e.kind = %s THEN 1 ELSE 0 END ORDER BY e.start, e.id)"
        "  AS place"
        f" FROM {table(Event)} e WHERE e.network_id = %s AND e.status = %s AND e.start >= %s{visible}"
        ") upcoming WHERE place <= %s ORDER BY start, id",
        [
            Event.Kind.NETWORK_MEETING,
            Event.Kind.NETWORK_MEETING,
            network.pk,
            Event.Status.PUBLISHED,
            timezone.now(),
            *visible_params,
            UPCOMING_MEETINGS_SHOWN,
        ],
        datetimes=(1,),
    )
    address = address_by_slug("events:event-detail")
    meetings, sessions = [], []
    for is_meeting, start, title, slug in found:
        (meetings if is_meeting else sessions).append(
            UpcomingEvent(title=title, url=address(slug), start=start)
        )
    return meetings, sessions


class Lead(NamedTuple):
    """A lead or co-chair as the network's page shows them: names only."""

    name: str
    organisation: str
    role: str  # "lead", "co-chair"
    user_id: int | None = None  # never shown; tells a lead their own "Manage this network" link


def network_leads(*, network: Network) -> list[Lead]:
    """The network's leads, then its co-chairs, each by name, with their organisations: one query."""
    roles = ", ".join(["%s"] * len(LEAD_ROLES))
    found = sql.rows(
        f"SELECT u.full_name, o.name, m.role, m.user_id FROM {table(Membership)} m"  # noqa: S608
        f" JOIN {table(User)} u ON u.id = m.user_id"
        f" LEFT JOIN {table(Organisation)} o ON o.id = u.organisation_id"
        f" WHERE m.network_id = %s AND m.status = %s AND m.role IN ({roles}) ORDER BY u.full_name",
        [network.pk, Membership.Status.ACTIVE, *LEAD_ROLES],
    )
    labels = {role.value: role.label.lower() for role in LEAD_ROLES}
    # sorted() keeps the database's order of names within each role.
    return [
        Lead(name=name, organisation=organisation or "", role=labels[role], user_id=user_id)
        for name, organisation, role, user_id in sorted(found, key=lambda row: row[2] != Membership.Role.LEAD)
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
