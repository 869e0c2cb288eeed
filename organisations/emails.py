from django.urls import reverse

from accounts.models import Organisation, User
from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email

COLLEAGUE_INVITATION = "organisations.colleague_invitation"


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
