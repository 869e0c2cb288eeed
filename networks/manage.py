"""What a network's leads and co-chairs see on "Manage this network", and the one rule of who
may see it and who may decide its applications. Each read is a fixed number of queries whatever
the number of members, applications or meetings.

A lead sees the roster (names, organisations, roles, when they joined), the applications waiting
(with what the applicant wrote to apply), who registered for the coming meetings and how many
came to past ones. Never a registrant's answers or anyone's email address.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from events.models import Event, Registration
from events.selectors import events_visible_to

from .models import Membership, Network, NetworkMessage

LEAD_ROLES = (Membership.Role.LEAD, Membership.Role.CO_CHAIR)
UPCOMING_SHOWN = 5
PAST_SHOWN = 6
MESSAGES_SHOWN = 5


def networks_led_by(*, user: User) -> list[Network]:
    """The active networks the person is an active lead or co-chair of, by name (one query)."""
    if not user.is_authenticated:
        return []
    return list(
        Network.objects.filter(
            status=Network.Status.ACTIVE,
            memberships__user=user,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role__in=LEAD_ROLES,
        ).order_by("name")
    )


def network_get_for_lead(*, user: User, slug: str) -> Network:
    """The network, for one of its active leads or co-chairs, or staff; `network.is_led_by_me` says
    which. Anyone else (another network's lead, a member, someone signed out) gets Http404, so a
    network's management page does not even say it exists. One query."""
    if not user.is_authenticated:
        raise Http404("No such network")
    network = get_object_or_404(
        Network.objects.annotate(
            is_led_by_me=Exists(
                Membership.objects.filter(
                    network=OuterRef("pk"), user=user, status=Membership.Status.ACTIVE, role__in=LEAD_ROLES
                )
            )
        ),
        slug=slug,
    )
    if user.is_staff:
        return network
    if not network.is_led_by_me or not network.is_active:
        raise Http404("No such network")
    return network


def lead_may_decide(*, user: User, network: Network) -> bool:
    """Whether this person may approve or decline the network's applications: staff always, its
    leads and co-chairs only when the network lets them (Network.leads_decide_applications)."""
    return user.is_staff or (network.leads_decide_applications and getattr(network, "is_led_by_me", False))


def application_get_for_lead(*, user: User, network: Network, membership_id: int) -> Membership:
    """A pending application to this network that this person may decide. Raises Http404 otherwise
    (an application to another network, one already decided, or a network whose leads don't decide)."""
    if not lead_may_decide(user=user, network=network):
        raise Http404("No such application")
    return get_object_or_404(
        Membership.objects.select_related("user__organisation", "network"),
        pk=membership_id,
        network=network,
        status=Membership.Status.PENDING,
    )


@dataclass
class ManagePage:
    roster: list[Membership]
    applications: list[Membership]
    upcoming: list[Event]
    past: list[Event]
    messages: list[NetworkMessage]


def network_manage_page(*, network: Network, user: User) -> ManagePage:
    """Everything "Manage this network" shows, in five queries."""
    roster = list(
        Membership.objects.filter(network=network, status=Membership.Status.ACTIVE)
        .select_related("user__organisation")
        .order_by("user__full_name", "user__email")
    )
    applications = list(
        Membership.objects.filter(network=network, status=Membership.Status.PENDING)
        .select_related("user__organisation")
        .order_by("applied_at", "id")
    )
    now = timezone.now()
    meetings = events_visible_to(user=user).filter(network=network, kind=Event.Kind.NETWORK_MEETING)
    upcoming = list(
        meetings.filter(start__gte=now)
        .exclude(status=Event.Status.DRAFT)
        .order_by("start", "id")
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.filter(
                    status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
                    user__isnull=False,
                )
                .select_related("user__organisation")
                .order_by("status", "waitlist_position", "user__full_name"),
                to_attr="people",
            )
        )[:UPCOMING_SHOWN]
    )
    past = list(
        meetings.filter(start__lt=now, status=Event.Status.PUBLISHED)
        .annotate(
            registered=Count(
                "registrations",
                filter=Q(
                    registrations__status__in=[
                        Registration.Status.CONFIRMED,
                        Registration.Status.ATTENDED,
                        Registration.Status.NO_SHOW,
                    ]
                ),
            ),
            attended=Count("registrations", filter=Q(registrations__status=Registration.Status.ATTENDED)),
            no_shows=Count("registrations", filter=Q(registrations__status=Registration.Status.NO_SHOW)),
        )
        .order_by("-start", "-id")[:PAST_SHOWN]
    )
    messages = list(network.messages.select_related("sent_by")[:MESSAGES_SHOWN])
    return ManagePage(
        roster=roster, applications=applications, upcoming=upcoming, past=past, messages=messages
    )
