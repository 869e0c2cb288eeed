from django.urls import reverse

from accounts.models import Organisation, OrganisationRequest, User
from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email

COLLEAGUE_INVITATION = "organisations.colleague_invitation"
CLAIM_TO_LEAD = "organisations.claim_to_lead"


@email_kind(COLLEAGUE_INVITATION, "Invitation from a colleague to sign up")
def _colleague_invitation(email: Email, shared: dict):
    organisation = Organisation.objects.filter(pk=email.data.get("organisation_id")).first()
    inviter = User.objects.filter(pk=email.data.get("invited_by_id")).first()
    if organisation is None or User.objects.filter(email__iexact=email.to).exists():
        return None  # the organisation is gone, or the colleague signed up meanwhile
    context = {
        "organisation": organisation,
        "inviter": inviter,
        "signup_url": absolute_url(reverse("account_signup")),
        "networks_url": absolute_url(reverse("networks:network-list")),
    }
    return email_build(template="organisations-colleague-invitation", to=[email.to], context=context)


@email_kind(CLAIM_TO_LEAD, "A colleague awaiting confirmation (to organisation leads)")
def _claim_to_lead(email: Email, shared: dict):
    """Written when it goes: nothing if the claim was decided meanwhile, or the lead no longer
    leads (or works for) the organisation claimed."""
    from .models import OrganisationLead

    request = (
        OrganisationRequest.objects.select_related("user", "organisation")
        .filter(pk=email.data.get("request_id"), status=OrganisationRequest.Status.PENDING)
        .first()
    )
    if request is None or request.organisation_id is None or email.user is None:
        return None
    still_lead = OrganisationLead.objects.filter(
        user=email.user,
        organisation_id=request.organisation_id,
        user__organisation_id=request.organisation_id,
    ).exists()
    if not still_lead or not email.user.is_active:
        return None
    context = {
        "request": request,
        "person": request.user,
        "organisation": request.organisation,
        "lead": email.user,
        "review_url": absolute_url(reverse("organisations:home")),
    }
    return email_build(template="organisations-claim-to-lead", to=[email.user.email], context=context)
