"""Making organisation leads, and what they do: invite colleagues. Deciding a colleague's claim to
the organisation is accounts.services' organisation_request_approve / _reject, as staff use."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organisation, OrganisationRequest, User
from accounts.services import audit_record
from outbox.services import enqueue

from . import emails
from .models import OrganisationLead


@transaction.atomic
def organisation_lead_add(*, user: User, organisation: Organisation, acting_user: User) -> OrganisationLead:
    """Staff make someone a lead of the organisation they are linked to. Idempotent.
    Raises ValidationError if the person is not linked to that organisation."""
    if user.organisation_id != organisation.pk:
        raise ValidationError(f"{user} is not linked to {organisation}: link them first.")
    lead, created = OrganisationLead.objects.get_or_create(
        user=user, organisation=organisation, defaults={"made_by": acting_user}
    )
    if created:
        audit_record(
            actor=acting_user, action="organisations.lead.added", target=lead, data={"user": user.pk}
        )
    return lead


@transaction.atomic
def organisation_lead_remove(*, lead: OrganisationLead, acting_user: User) -> None:
    audit_record(
        actor=acting_user,
        action="organisations.lead.removed",
        target=lead.organisation,
        data={"user": lead.user_id},
    )
    lead.delete()


def claim_leads_notify(*, request: OrganisationRequest) -> int:
    """Owe each lead of the organisation a sign-up claims one email: a colleague awaits their
    confirmation (staff are told as well, and either may decide). Nothing for a new organisation's
    name, which only staff decide. Call it inside the transaction that sends the claim for review;
    once per claim and lead however often it is called. Returns how many emails were owed."""
    if request.organisation_id is None:
        return 0
    leads = User.objects.filter(
        organisation_leads__organisation_id=request.organisation_id,
        organisation_id=request.organisation_id,
        is_active=True,
    ).exclude(pk=request.user_id)
    owed = 0
    for lead in leads:
        owed += (
            enqueue(
                kind=emails.CLAIM_TO_LEAD,
                to=lead.email,
                user=lead,
                about=request,
                data={"request_id": request.pk},
                dedup_key=f"{emails.CLAIM_TO_LEAD}:{request.pk}:{lead.pk}",
            )
            is not None
        )
    return owed


def invitation_refusal(*, organisation: Organisation, email: str) -> str | None:
    """Why a lead cannot invite this address, or None: it must be on one of the organisation's
    domains (so the new account is linked by its address alone) and have no account yet."""
    domain = email.rpartition("@")[2].lower()
    domains = list(organisation.domains.values_list("domain", flat=True))
    if domain not in domains:
        if not domains:
            return f"{organisation.name} has no email domains yet: ask the networks team to add them."
        return f"Enter an address at {' or '.join('@' + d for d in domains)}"
    if User.objects.filter(email__iexact=email).exists():
        return f"{email} already has an account"
    return None


@transaction.atomic
def colleague_invite(*, organisation: Organisation, email: str, acting_user: User) -> None:
    """Email a colleague a link to sign up. Raises ValidationError (see invitation_refusal)."""
    email = email.strip().lower()
    refusal = invitation_refusal(organisation=organisation, email=email)
    if refusal:
        raise ValidationError({"email": refusal})
    audit_record(
        actor=acting_user,
        action="organisations.colleague.invited",
        target=organisation,
        data={"email": email},
    )
    enqueue(
        kind=emails.COLLEAGUE_INVITATION,
        to=email,
        about=organisation,
        data={"organisation_id": organisation.pk, "invited_by_id": acting_user.pk},
    )
