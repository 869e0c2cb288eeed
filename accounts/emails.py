"""The emails about accounts, written at send time (see outbox.kinds) from the organisation
request or account as it is then: a request settled before its email goes out is not announced,
and nothing is written to an address nobody has confirmed."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email

from .models import OrganisationRequest

ORGANISATION_REQUEST_TO_STAFF = "accounts.organisation_request_to_staff"
ORGANISATION_REQUEST_DECIDED = "accounts.organisation_request_decided"
SIGN_IN_ATTEMPTS = "accounts.sign_in_attempts"


def _confirmed(user, email: str | None = None) -> bool:
    addresses = EmailAddress.objects.filter(user=user, verified=True)
    addresses = addresses.filter(primary=True) if email is None else addresses.filter(email__iexact=email)
    return user.is_active and addresses.exists()


@email_kind(ORGANISATION_REQUEST_TO_STAFF, "Organisation request awaiting review (to staff)")
def _request_to_staff(email: Email, shared: dict):
    request = (
        OrganisationRequest.objects.select_related("user", "organisation")
        .filter(pk=email.data.get("request_id"), status=OrganisationRequest.Status.PENDING)
        .first()
    )
    if request is None or not _confirmed(request.user):
        return None
    return email_build(
        template="accounts-organisation-request-to-staff",
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        context={
            "request": request,
            "person": request.user,
            "review_url": absolute_url(
                reverse("admin:accounts_organisationrequest_change", args=[request.pk])
            ),
        },
    )


@email_kind(ORGANISATION_REQUEST_DECIDED, "Organisation request decided")
def _request_decided(email: Email, shared: dict):
    request = (
        OrganisationRequest.objects.select_related("user", "linked_organisation")
        .filter(
            pk=email.data.get("request_id"),
            status__in=[OrganisationRequest.Status.APPROVED, OrganisationRequest.Status.REJECTED],
        )
        .first()
    )
    # Never to an address nobody has confirmed: the email quotes what the person typed.
    if request is None or not _confirmed(request.user):
        return None
    return email_build(
        template="accounts-organisation-request-decided",
        to=[request.user.email],
        context={
            "request": request,
            "person": request.user,
            "approved": request.status == OrganisationRequest.Status.APPROVED,
            "account_url": absolute_url(reverse("accounts:profile-detail")),
        },
    )


@email_kind(SIGN_IN_ATTEMPTS, "Sign-in paused after failed attempts")
def _sign_in_attempts(email: Email, shared: dict):
    """It quotes nothing anyone typed."""
    from .throttles import ACCOUNT_LOCKOUT_SECONDS

    if email.user is None or not _confirmed(email.user, email.to):
        return None
    return email_build(
        template="accounts-sign-in-attempts",
        to=[email.to],
        context={
            "minutes": ACCOUNT_LOCKOUT_SECONDS // 60,
            "reset_url": absolute_url(reverse("account_reset_password")),
        },
    )
