"""Every change to networks, memberships and invitations: one function per change of state.

Each function that changes something takes keyword arguments, runs in one transaction, leaves an
audit entry and queues the emails it owes (sent by a Celery task once the transaction commits).
A refusal raises ValidationError whose message can be shown to the person as it is; nothing is
stored then.
"""

import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from events.models import Event
from loti_portal import versions
from loti_portal.markdown import render_markdown
from outbox.models import Email
from outbox.services import enqueue, enqueue_many

from . import emails, rules
from .models import Membership, Network, NetworkInvitation, NetworkMessage

INVITATION_VALID_FOR = timedelta(days=14)

# What an application records, by key; `seniority` only for networks that ask it.
APPLICATION_ANSWER_KEYS = ("job_title", "organisation", "reason", "seniority")


# --- networks -------------------------------------------------------------------------------

# The fields whose change remakes the network's meetings: when they are, and what each says.
CADENCE_FIELDS = Network.cadence_rule_field_names() | {
    "meeting_venue",
    "meeting_online_url",
    "meeting_capacity",
    "meetings_horizon_days",
    "status",
}


@transaction.atomic
def network_save(
    *, network: Network, changed_fields: list[str], acting_user: User, within_notice: bool = False
) -> Network:
    """Create or update a network as staff edited it (in admin), and audit which fields changed.

    A new or changed cadence makes its meetings afresh after commit; one that would start within
    the notice period is made only with `within_notice` (staff confirmed it)."""
    created = network.pk is None
    network.full_clean()
    network.cadence_rrule = network.cadence_rrule_from_fields()
    network.description_html = render_markdown(network.description)
    previous_slug = (
        None if created else Network.objects.filter(pk=network.pk).values_list("slug", flat=True).first()
    )
    network.save()
    # Its pages at its address (old and new) and its events' pages (they show its name).
    event_slugs = list(Event.objects.filter(network=network).values_list("slug", flat=True))
    for slug in {network.slug, previous_slug} - {None}:
        versions.network_changed(slug=slug, event_slugs=event_slugs)
    if created or not CADENCE_FIELDS.isdisjoint(changed_fields):
        # A new or changed rule: future meetings nobody has touched are made afresh.
        from .tasks import network_meetings_refresh  # the task module imports this one

        transaction.on_commit(partial(network_meetings_refresh.delay, network.id, within_notice), robust=True)
    audit_record(
        actor=acting_user,
        action="networks.network.created" if created else "networks.network.updated",
        target=network,
        data={"fields": sorted(changed_fields), **({"within_notice": True} if within_notice else {})},
    )
    return network


# --- joining and applying -------------------------------------------------------------------


@transaction.atomic
def membership_join(*, user: User, network: Network) -> Membership:
    """Join an open network straight away. Raises ValidationError if the rules refuse."""
    membership = _membership_for_entry(user=user, network=network, wanted=Network.JoinPolicy.OPEN)
    membership.role = Membership.Role.MEMBER
    _record_decision(membership, by=None)
    return _activate(membership=membership, acting_user=user, action="networks.membership.joined")


@transaction.atomic
def membership_apply(*, user: User, network: Network, answers: dict) -> Membership:
    """Apply to an approval network: a pending membership that staff decide on.

    The applicant is told the application was received and staff are told there is a new one.
    Raises ValidationError if the rules refuse or an answer is missing.
    """
    answers = _clean_answers(network=network, answers=answers)
    membership = _membership_for_entry(user=user, network=network, wanted=Network.JoinPolicy.APPROVAL)
    membership.status = Membership.Status.PENDING
    membership.role = Membership.Role.MEMBER
    membership.answers = answers
    membership.applied_at = timezone.now()
    _record_decision(membership, by=None)
    membership.save()
    _membership_changed(membership)
    audit_record(
        actor=user,
        action="networks.membership.applied",
        target=membership,
        data={"network": network.slug, "answers": answers},
    )
    _queue_email(kind=emails.APPLICATION_RECEIVED, recipient=user.email, membership=membership)
    _queue_email(
        kind=emails.APPLICATION_TO_STAFF,
        recipient=settings.STAFF_NOTIFICATION_EMAIL,
        membership=membership,
    )
    return membership


@transaction.atomic
def memberships_choose(*, user: User, networks: list[Network], answers: dict) -> list[Membership]:
    """Join the open networks and apply to the approval ones, all or nothing (the sign-up chooser).

    Raises ValidationError, storing nothing, if any one of them is refused.
    """
    memberships = []
    for network in networks:
        if network.join_policy == Network.JoinPolicy.APPROVAL:
            memberships.append(membership_apply(user=user, network=network, answers=answers))
        else:
            memberships.append(membership_join(user=user, network=network))
    return memberships


@transaction.atomic
def membership_leave(*, membership: Membership, acting_user: User) -> Membership:
    """Leave a network, or withdraw an application that is still pending.

    The row stays (status "left"), so rejoining later keeps the history. Raises ValidationError if
    the person is neither a member nor waiting for a decision.
    """
    membership = _locked(membership)
    if not membership.is_current:
        raise ValidationError(f"You are not a member of {membership.network.name}.")
    action = "networks.membership.left" if membership.is_active else "networks.membership.withdrawn"
    previous_role = membership.role
    membership.status = Membership.Status.LEFT
    membership.role = Membership.Role.MEMBER
    membership.left_at = timezone.now()
    membership.save()
    _membership_changed(membership)
    audit_record(actor=acting_user, action=action, target=membership, data={"role": previous_role})
    return membership


# --- staff decisions ------------------------------------------------------------------------


@transaction.atomic
def membership_approve(*, membership: Membership, acting_user: User) -> Membership:
    """Accept a pending application; the applicant is told. Raises ValidationError if not pending."""
    membership = _locked(membership)
    _require_pending(membership)
    _record_decision(membership, by=acting_user)
    return _activate(
        membership=membership,
        acting_user=acting_user,
        action="networks.membership.approved",
        email_kind=emails.APPLICATION_APPROVED,
    )


@transaction.atomic
def membership_decline(*, membership: Membership, acting_user: User, reason: str) -> Membership:
    """Turn down a pending application with a reason, which the applicant is sent.

    Raises ValidationError if it is not pending or the reason is blank.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError("Enter the reason the application is declined: the applicant is sent it.")
    membership = _locked(membership)
    _require_pending(membership)
    membership.status = Membership.Status.DECLINED
    membership.decided_by = acting_user
    membership.decided_at = timezone.now()
    membership.decision_reason = reason
    membership.save()
    _membership_changed(membership)
    audit_record(
        actor=acting_user, action="networks.membership.declined", target=membership, data={"reason": reason}
    )
    _queue_email(
        kind=emails.APPLICATION_DECLINED,
        recipient=membership.user.email,
        membership=membership,
        data={"reason": reason},
    )
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, acting_user: User) -> Membership:
    """Make a member a lead, a co-chair or an ordinary member. Idempotent: the same role is no change.

    Raises ValidationError for someone who is not an active member or an unknown role.
    """
    if role not in Membership.Role.values:
        raise ValidationError(f"{role!r} is not a role.")
    membership = _locked(membership)
    if not membership.is_active:
        raise ValidationError(f"{membership.user} is not an active member of {membership.network.name}.")
    if membership.role == role:
        return membership
    previous = membership.role
    membership.role = role
    membership.save()
    _membership_changed(membership)
    audit_record(
        actor=acting_user,
        action="networks.membership.role_changed",
        target=membership,
        data={"from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, acting_user: User, reason: str = "") -> Membership:
    """Take someone out of a network (or close their pending application) by staff decision.

    They cannot rejoin an open network by themselves afterwards. Raises ValidationError if they
    are neither a member nor waiting for a decision.
    """
    membership = _locked(membership)
    if not membership.is_current:
        raise ValidationError(f"{membership.user} is not a member of {membership.network.name}.")
    previous_status, previous_role = membership.status, membership.role
    membership.status = Membership.Status.REMOVED
    membership.role = Membership.Role.MEMBER
    membership.left_at = timezone.now()
    membership.decided_by = acting_user
    membership.decided_at = membership.left_at
    membership.decision_reason = reason.strip()
    membership.save()
    _membership_changed(membership)
    audit_record(
        actor=acting_user,
        action="networks.membership.removed",
        target=membership,
        data={"status": previous_status, "role": previous_role, "reason": reason.strip()},
    )
    return membership


@transaction.atomic
def membership_add(*, user: User, network: Network, role: str, acting_user: User) -> Membership:
    """Staff put someone straight into a network, whatever its join policy; they are welcomed by email.

    Raises ValidationError if they are already a member or the role is unknown.
    """
    if role not in Membership.Role.values:
        raise ValidationError(f"{role!r} is not a role.")
    _lock_person(user)
    membership = Membership.objects.filter(user=user, network=network).first()
    if membership is not None and membership.is_active:
        raise ValidationError(f"{user} is already a member of {network.name}.")
    membership = membership or Membership(user=user, network=network)
    membership.role = role
    _record_decision(membership, by=acting_user)
    return _activate(membership=membership, acting_user=acting_user, action="networks.membership.added")


@transaction.atomic
def roster_export(*, networks: list[Network], acting_user: User) -> tuple[list[str], list[list]]:
    """The active members of the networks, as a header and rows for a CSV file; the export is audited."""
    header = ["Network", "Name", "Email", "Organisation", "Organisation kind", "Role", "Job title", "Joined"]
    memberships = (
        Membership.objects.filter(network__in=networks, status=Membership.Status.ACTIVE)
        .select_related("network", "user__organisation")
        .order_by("network__name", "user__full_name", "user__email")
    )
    rows = [
        [
            membership.network.name,
            membership.user.full_name,
            membership.user.email,
            membership.user.organisation.name if membership.user.organisation else "",
            membership.user.organisation.get_kind_display() if membership.user.organisation else "",
            membership.get_role_display(),
            membership.user.job_title,
            timezone.localtime(membership.joined_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for membership in memberships
    ]
    for network in networks:
        audit_record(
            actor=acting_user,
            action="networks.roster.exported",
            target=network,
            data={"rows": sum(1 for row in rows if row[0] == network.name)},
        )
    return header, rows


# --- messages to members -------------------------------------------------------------------


@transaction.atomic
def network_message_members(
    *, network: Network, subject: str, body: str, acting_user: User
) -> NetworkMessage:
    """Email a message from a lead (or staff) to every active member of the network, and one copy
    to staff (settings.STAFF_NOTIFICATION_EMAIL). The emails are outbox rows written here; each is
    written when it goes. Raises ValidationError for a blank subject or message, or an archived
    network; nothing is stored then."""
    subject, body = subject.strip(), body.strip()
    errors = {}
    if not subject:
        errors["subject"] = "Enter a subject"
    if not body:
        errors["body"] = "Enter your message"
    if errors:
        raise ValidationError(errors)
    if not network.is_active:
        raise ValidationError(f"{network.name} is archived: its members cannot be emailed.")
    members = list(
        Membership.objects.filter(network=network, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user_id")
    )
    message = NetworkMessage.objects.create(
        network=network, subject=subject, body=body, sent_by=acting_user, recipient_count=len(members)
    )
    about_type, about_id = "networks.network", network.pk
    rows = [
        Email(
            kind=emails.MESSAGE,
            to=membership.user.email,
            user=membership.user,
            about_type=about_type,
            about_id=about_id,
            data={"message_id": message.pk, "membership_id": membership.pk},
            dedup_key=f"networks.message:{message.pk}:{membership.user_id}",
        )
        for membership in members
    ]
    rows.append(
        Email(
            kind=emails.MESSAGE_COPY_TO_STAFF,
            to=settings.STAFF_NOTIFICATION_EMAIL,
            about_type=about_type,
            about_id=about_id,
            data={"message_id": message.pk},
            dedup_key=f"networks.message:{message.pk}:staff",
        )
    )
    enqueue_many(emails=rows)
    audit_record(
        actor=acting_user,
        action="networks.network.messaged",
        target=network,
        data={"message": message.pk, "count": len(members)},
    )
    return message


# --- invitations ----------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, network: Network, email: str, invited_by: User, valid_for: timedelta = INVITATION_VALID_FOR
) -> NetworkInvitation:
    """Invite an email address to a network; the link is emailed and works once until it expires.

    Raises ValidationError if the network is archived or the person is already a member.
    """
    email = email.strip().lower()
    refusal = invitation_refusal_for(network=network, email=email)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    invitation = NetworkInvitation.objects.create(
        network=network,
        email=email,
        token=secrets.token_urlsafe(32),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + valid_for,
    )
    audit_record(
        actor=invited_by,
        action="networks.invitation.created",
        target=invitation,
        data={"network": network.slug, "email": email, "expires_at": invitation.expires_at.isoformat()},
    )
    _queue_email(kind=emails.INVITATION, recipient=email, invitation=invitation)
    return invitation


def invitation_refusal_for(*, network: Network, email: str) -> str | None:
    """Why staff cannot invite this address to this network, or None if they can."""
    if not network.is_active:
        return f"{network.name} is archived: it cannot take new members."
    if Membership.objects.filter(
        network=network, user__email__iexact=email.strip(), status=Membership.Status.ACTIVE
    ).exists():
        return f"{email.strip().lower()} is already a member of {network.name}."
    return None


@transaction.atomic
def invitation_revoke(*, invitation: NetworkInvitation, acting_user: User) -> NetworkInvitation:
    """Withdraw an invitation that has not been used. Idempotent; a used one is left as it is."""
    invitation = NetworkInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=acting_user, action="networks.invitation.revoked", target=invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: NetworkInvitation, user: User) -> Membership:
    """Use an invitation: the person signed in as the invited address becomes an active member.

    Accepting again by the same person returns their membership. Raises ValidationError if the
    invitation was used by someone else, withdrawn, expired or sent to another address.
    """
    invitation = NetworkInvitation.objects.select_for_update().select_related("network").get(pk=invitation.pk)
    refusal = rules.invitation_refusal(invitation=invitation, user=user)
    if refusal:
        raise ValidationError(refusal)
    network = invitation.network
    _lock_person(user)
    membership = Membership.objects.filter(user=user, network=network).first()
    if invitation.accepted_at:
        return membership
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="networks.invitation.accepted", target=invitation)
    if membership is not None and membership.is_active:
        return membership
    membership = membership or Membership(user=user, network=network)
    membership.role = Membership.Role.MEMBER
    _record_decision(membership, by=None)
    return _activate(
        membership=membership,
        acting_user=user,
        action="networks.membership.joined",
        data={"invitation": invitation.pk},
    )


# --- email ----------------------------------------------------------------------------------


def _queue_email(
    *,
    kind: str,
    recipient: str,
    membership: Membership | None = None,
    invitation: NetworkInvitation | None = None,
    data: dict | None = None,
) -> None:
    """Owe an email in the caller's transaction (see outbox.services.enqueue)."""
    network = membership.network if membership is not None else invitation.network
    enqueue(
        kind=kind,
        to=recipient,
        user=membership.user if membership is not None and recipient == membership.user.email else None,
        about=network,
        data={
            **(data or {}),
            "membership_id": membership.pk if membership is not None else None,
            "invitation_id": invitation.pk if invitation is not None else None,
        },
    )


# --- helpers --------------------------------------------------------------------------------


def _membership_changed(membership: Membership) -> None:
    """The network's pages and what the person may see are drawn afresh after commit."""
    versions.network_changed(slug=membership.network.slug)
    versions.person_changed(user_id=membership.user_id)


def _lock_person(user: User) -> None:
    """Serialise changes to one person's memberships, so a double submit waits instead of racing."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("network", "user").get(pk=membership.pk)


def _require_pending(membership: Membership) -> None:
    if not membership.is_pending:
        raise ValidationError(
            f"The application from {membership.user} to {membership.network.name} has already been "
            f"decided ({membership.get_status_display().lower()})."
        )


def _membership_for_entry(*, user: User, network: Network, wanted: str) -> Membership:
    """The person's row for the network (new and unsaved if none), once the rules allow `wanted`."""
    _lock_person(user)
    membership = Membership.objects.filter(user=user, network=network).first()
    refusal = rules.policy_refusal(network=network, wanted=wanted) or rules.entry_refusal(
        user=user, network=network, status=membership.status if membership else None
    )
    if refusal:
        raise ValidationError(refusal)
    return membership or Membership(user=user, network=network)


def _record_decision(membership: Membership, *, by: User | None) -> None:
    """Who decided the membership's current state: staff, or nobody (the person acted alone)."""
    membership.decided_by = by
    membership.decided_at = timezone.now() if by is not None else None
    membership.decision_reason = ""


def _activate(
    *,
    membership: Membership,
    acting_user: User,
    action: str,
    email_kind: str = emails.JOINED,
    data: dict | None = None,
) -> Membership:
    """Make the row an active membership from now, audit it and welcome the person by email.

    The caller has set the role and the decision fields.
    """
    if not membership.is_pending:
        # Not coming from an application: any answers belong to an earlier round.
        membership.answers = {}
        membership.applied_at = None
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.left_at = None
    membership.save()
    _membership_changed(membership)
    audit_record(
        actor=acting_user,
        action=action,
        target=membership,
        data={"network": membership.network.slug, "role": membership.role, **(data or {})},
    )
    _queue_email(kind=email_kind, recipient=membership.user.email, membership=membership)
    return membership


def _clean_answers(*, network: Network, answers: dict) -> dict:
    cleaned = {key: " ".join(str(answers.get(key) or "").split()) for key in APPLICATION_ANSWER_KEYS}
    cleaned["reason"] = str(answers.get("reason") or "").strip()
    if not network.asks_seniority:
        cleaned.pop("seniority")
    elif cleaned["seniority"] not in Membership.Seniority.values:
        raise ValidationError(f"Choose how senior your role is: {network.name} asks every applicant.")
    missing = [key for key, value in cleaned.items() if not value]
    if missing:
        raise ValidationError(
            "Answer every question on the application: "
            + ", ".join(key.replace("_", " ") for key in missing)
            + "."
        )
    return cleaned


# --- notification settings ------------------------------------------------------------------


@transaction.atomic
def membership_set_reminders(
    *, membership: Membership, enabled: bool, acting_user: User | None
) -> Membership:
    """Turn one person's meeting reminders for one network on or off. Idempotent; audited on change."""
    membership = _locked(membership)
    if membership.reminders_enabled != enabled:
        membership.reminders_enabled = enabled
        membership.save(update_fields=["reminders_enabled", "updated_at"])
        audit_record(
            actor=acting_user,
            action="networks.membership.reminders_on" if enabled else "networks.membership.reminders_off",
            target=membership,
        )
    return membership
