"""Peer-support circles: every change (placing people, leaving, asking to be placed) and the
meeting generator and reminders, each safe to run twice.

Staff place people (in admin), 4 to 8 to a circle; a member may ask to be placed. Meetings come
from the circle's cadence through networks.cadence, so times stay right across BST/GMT changes.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from loti_portal import versions
from networks.cadence import cadence_occurrences
from networks.models import Network

from .emails import mentoring_email_enqueue
from .models import (
    CIRCLE_MAX_MEMBERS,
    CircleMeeting,
    CircleMembership,
    CirclePlacementRequest,
    PeerCircle,
)
from .selectors import is_active_member

MEETINGS_HORIZON = timedelta(days=120)
REMINDER_BEFORE = timedelta(hours=24)


@transaction.atomic
def circle_member_add(*, circle: PeerCircle, user: User, acting_user: User) -> CircleMembership:
    """Place an active member of the circle's network in it, up to CIRCLE_MAX_MEMBERS (decided
    with the circle locked). Closes their open placement request. Raises ValidationError."""
    circle = PeerCircle.objects.select_for_update(of=("self",)).select_related("network").get(pk=circle.pk)
    if not is_active_member(user=user, network=circle.network):
        raise ValidationError(f"{user.full_name} is not a member of {circle.network.name}.")
    if CircleMembership.objects.filter(circle=circle, left_at__isnull=True).count() >= CIRCLE_MAX_MEMBERS:
        raise ValidationError(f"{circle.name} is full: a circle has at most {CIRCLE_MAX_MEMBERS} people.")
    try:
        with transaction.atomic():
            membership = CircleMembership.objects.create(circle=circle, user=user, added_by=acting_user)
    except IntegrityError as exc:
        raise ValidationError(f"{user.full_name} is already in {circle.name}.") from exc
    CirclePlacementRequest.objects.filter(network=circle.network, user=user, closed_at__isnull=True).update(
        closed_at=timezone.now(), placed_in=circle
    )
    _circles_changed(circle=circle, user_id=user.pk)
    audit_record(
        actor=acting_user, action="mentoring.circle.member_added", target=circle, data={"user": user.pk}
    )
    mentoring_email_enqueue(
        kind="mentoring.circle_joined",
        user=user,
        about=membership,
        context_ids={"circle": circle.pk},
        dedup_key=f"circle-membership:{membership.pk}:joined",
    )
    return membership


@transaction.atomic
def circle_leave(*, circle: PeerCircle, user: User) -> None:
    """The person leaves the circle. Leaving twice is harmless."""
    left = CircleMembership.objects.filter(circle=circle, user=user, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    if left:
        _circles_changed(circle=circle, user_id=user.pk)
        audit_record(actor=user, action="mentoring.circle.left", target=circle)


def _circles_changed(*, circle: PeerCircle, user_id: int | None = None) -> None:
    """The network's page shows its circles, their sizes and the person's own: drawn afresh."""
    versions.network_changed(slug=circle.network.slug)
    if user_id is not None:
        versions.person_changed(user_id=user_id)


@transaction.atomic
def circle_placement_request(*, network: Network, user: User, note: str) -> CirclePlacementRequest:
    """A member asks to be placed in one of the network's circles; staff see it in admin."""
    if not is_active_member(user=user, network=network):
        raise ValidationError(f"Only members of {network.name} can join its circles.")
    try:
        with transaction.atomic():
            request = CirclePlacementRequest.objects.create(network=network, user=user, note=note.strip())
    except IntegrityError as exc:
        raise ValidationError("You have already asked to be placed in a circle. We will email you.") from exc
    versions.person_changed(user_id=user.pk)
    audit_record(actor=user, action="mentoring.circle.placement_requested", target=request)
    return request


def circle_meetings_generate(*, circle: PeerCircle, now: datetime | None = None) -> int:
    """Create the circle's meetings MEETINGS_HORIZON ahead. Idempotent: (circle, date) is unique."""
    now = now or timezone.now()
    occurrences = cadence_occurrences(circle.cadence, after=now, until=now + MEETINGS_HORIZON)
    existing = set(CircleMeeting.objects.filter(circle=circle).values_list("occurrence_date", flat=True))
    # The unique (circle, occurrence_date) constraint makes a concurrent run's rows win quietly.
    created = CircleMeeting.objects.bulk_create(
        [
            CircleMeeting(circle=circle, occurrence_date=occurrence, start=start, end=end)
            for occurrence, start, end in occurrences
            if occurrence not in existing
        ],
        ignore_conflicts=True,
    )
    return len(created)


def circle_meetings_generate_all(*, now: datetime | None = None) -> int:
    return sum(
        circle_meetings_generate(circle=circle, now=now)
        for circle in PeerCircle.objects.filter(network__status=Network.Status.ACTIVE)
    )


def circle_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each member of a meeting starting within REMINDER_BEFORE, once: the outbox's
    dedup_key (meeting and person) makes a second run, or a second worker, owe nothing more."""
    now = now or timezone.now()
    sent = 0
    meetings = CircleMeeting.objects.filter(start__gt=now, start__lte=now + REMINDER_BEFORE).select_related(
        "circle"
    )
    for meeting in meetings:
        members = CircleMembership.objects.filter(circle=meeting.circle, left_at__isnull=True).select_related(
            "user"
        )
        for membership in members:
            with transaction.atomic():
                email = mentoring_email_enqueue(
                    kind="mentoring.circle_meeting_reminder",
                    user=membership.user,
                    about=meeting,
                    context_ids={"circle": meeting.circle_id},
                    dedup_key=f"circle-meeting:{meeting.pk}:reminder:{membership.user_id}",
                )
            sent += email is not None
    return sent


@transaction.atomic
def circle_save(*, circle: PeerCircle, changed_fields: list[str], acting_user: User) -> PeerCircle:
    """Create or update a circle as staff edited it, audit it, and make its meetings ahead."""
    created = circle.pk is None
    # Moved to another network, it leaves the page of the one it was in.
    before = (
        None
        if created
        else PeerCircle.objects.filter(pk=circle.pk).values_list("network__slug", flat=True).first()
    )
    circle.full_clean()
    circle.save()
    if not created and not PeerCircle.cadence_rule_field_names().isdisjoint(changed_fields):
        # A changed cadence: future meetings are made afresh from the new rule.
        CircleMeeting.objects.filter(circle=circle, start__gt=timezone.now()).delete()
    circle_meetings_generate(circle=circle)
    _circles_changed(circle=circle)
    if before and before != circle.network.slug:
        versions.network_changed(slug=before)
    audit_record(
        actor=acting_user,
        action="mentoring.circle.created" if created else "mentoring.circle.updated",
        target=circle,
        data={"fields": sorted(changed_fields)},
    )
    return circle


@transaction.atomic
def circle_member_remove(*, circle: PeerCircle, user: User, acting_user: User) -> None:
    """Staff take someone out of a circle."""
    removed = CircleMembership.objects.filter(circle=circle, user=user, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    if removed:
        _circles_changed(circle=circle, user_id=user.pk)
        audit_record(
            actor=acting_user, action="mentoring.circle.member_removed", target=circle, data={"user": user.pk}
        )
