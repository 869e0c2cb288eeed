"""What an organisation lead sees: their own organisation's people, never another's, never
anyone's answers or the organisation requests of other organisations. Fixed numbers of queries."""

from django.db.models import Prefetch
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


def claims_awaiting_review(*, organisation: Organisation) -> list[OrganisationRequest]:
    """Sign-ups that chose this organisation and wait for a decision, oldest first (one query)."""
    return list(
        OrganisationRequest.objects.filter(
            organisation=organisation, status=OrganisationRequest.Status.PENDING
        )
        .select_related("user")
        .order_by("created_at", "id")
    )


def claim_get_for_lead(*, organisation: Organisation, request_id: int) -> OrganisationRequest:
    """A pending claim to this organisation. Raises Http404 for another organisation's, or a decided one."""
    return get_object_or_404(
        OrganisationRequest.objects.select_related("user", "organisation"),
        pk=request_id,
        organisation=organisation,
        status=OrganisationRequest.Status.PENDING,
    )
