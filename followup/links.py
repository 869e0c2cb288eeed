"""The signed link that lets a guest (no account) answer the feedback form and open the
materials of a session they attended. It names the registration and the address it was sent
to, so it stops working when the guest's details are deleted."""

from django.core import signing
from django.urls import reverse

from events.models import Registration
from loti_portal.utils import absolute_url

_SALT = "followup.guest"


def guest_token(registration: Registration) -> str:
    # Not timestamped: the same guest gets the same link in every email; it lasts as long as
    # their details do (deleted after ANSWER_RETENTION_DAYS), and the form has its own closing date.
    value = [registration.pk, registration.guest_email.lower()]
    return signing.Signer(salt=_SALT).sign_object(value, compress=True)


def guest_token_read(token: str) -> tuple[int, str]:
    """(registration id, email); raises signing.BadSignature for a link that was not ours."""
    value = signing.Signer(salt=_SALT).unsign_object(token)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise signing.BadSignature("Not a guest feedback link")
    return value[0], str(value[1])


def feedback_url(registration: Registration) -> str:
    """Where this person answers the feedback form: signed in for a member, by signed link for a
    guest."""
    slug = registration.event.slug
    if registration.is_guest:
        return absolute_url(reverse("followup:guest-feedback", args=[slug, guest_token(registration)]))
    return absolute_url(reverse("followup:feedback-give", args=[slug]))
