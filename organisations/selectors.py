"""What an organisation lead sees: their own organisation's people, never another's, never
anyone's answers or the organisation requests of other organisations. Fixed numbers of queries."""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Organisation, OrganisationRequest, User
from events.models import Registration
from networks.models import Membership

from .models import OrganisationLead


def organisation_led_by(*, user: User) -> Organisation:
    """The organisation this person leads (and is still linked to). Raises Http404 for anyone else,
    staff included: staff see everything in admin and on the engagement dashboard. One query."""
    if not user.is_authenticated:
        raise Http404("No such page")
    lead = (
        OrganisationLead.objects.select_related("organisation")
        .filter(user=user, organisation_id=user.organisation_id)
        .first()
    )
    if lead is None:
        raise Http404("No such page")
    return lead.organisation


def colleagues_with_activity(*, organisation: Organisation) -> list[User]:
    """The organisation's active accounts by name, each with `current_memberships` (active, with the
    network) and `places` (registrations not cancelled, with the event, latest first). Three queries.
    Registrations are loaded without their answers."""
    return list(
        User.objects.filter(organisation=organisation, is_active=True)
        .order_by("full_name", "email")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(status=Membership.Status.ACTIVE)
                .select_related("network")
                .order_by("network__name"),
                to_attr="current_memberships",
            ),
            Prefetch(
                "registrations",
                queryset=Registration.objects.exclude(status=Registration.Status.CANCELLED)
                .defer("answers")
                .select_related("event")
                .order_by("-event__start"),
                to_attr="places",
            ),
        )
    )


def _claims_pending(organisation: Organisation):
    """Sign-ups that chose this organisation, wait for a decision, and came from a confirmed
    address: until it is confirmed nobody knows the address is the person's (staff are not asked
    either). The one rule for what a lead may decide."""
    confirmed = EmailAddress.objects.filter(
        user_id=OuterRef("user_id"), email__iexact=OuterRef("email"), verified=True
    )
    return OrganisationRequest.objects.filter(
        Exists(confirmed), organisation=organisation, status=OrganisationRequest.Status.PENDING
    ).select_related("user", "organisation")


def claims_awaiting_review(*, organisation: Organisation) -> list[OrganisationRequest]:
    """The claims a lead may decide, oldest first (one query)."""
    return list(_claims_pending(organisation).order_by("created_at", "id"))


def claim_get_for_lead(*, organisation: Organisation, request_id: int) -> OrganisationRequest:
    """One claim the lead may decide. Raises Http404 for another organisation's, a decided one, or
    one from an address nobody has confirmed."""
    return get_object_or_404(_claims_pending(organisation), pk=request_id)
