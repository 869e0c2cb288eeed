"""The signed links a guest (someone without an account, at a public session) receives by email.

- The confirmation link carries the whole form, signed: nothing about the guest is stored until
  they confirm, so a typo or a bot holds no place and leaves no data. It expires after
  GUEST_CONFIRM_HOURS.
- The "your registration" link names one registration and its email address; it works until the
  session ends, and stops working once the guest deletes their data or the registration moves to
  an account made with that address.

A tampered link raises signing.BadSignature (shown as 404), an expired one signing.SignatureExpired
(shown as 410); SignatureExpired is a BadSignature, so callers catch it first.
"""

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from loti_portal.utils import absolute_url

CONFIRM_SALT = "events.guest-confirm"
REGISTRATION_SALT = "events.guest-registration"
GUEST_CONFIRM_HOURS = 48


@dataclass(frozen=True)
class GuestRequest:
    """What a guest filled in, carried by the confirmation link."""

    event_id: int
    full_name: str
    email: str
    answers: dict
    access_needs: str
    # For a hybrid session: in person or online (a Registration.Mode). Links sent before guests
    # chose carry none, and meant in person.
    mode: str = "in_person"


def confirm_token(request: GuestRequest) -> str:
    return signing.dumps(
        {
            "e": request.event_id,
            "n": request.full_name,
            "m": request.email,
            "a": request.answers,
            "x": request.access_needs,
            "o": request.mode,
        },
        salt=CONFIRM_SALT,
        compress=True,
    )


def confirm_token_read(token: str) -> GuestRequest:
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=GUEST_CONFIRM_HOURS * 3600)
    try:
        return GuestRequest(
            event_id=int(data["e"]),
            full_name=str(data["n"]),
            email=str(data["m"]),
            answers=dict(data["a"]),
            access_needs=str(data["x"]),
            mode=str(data.get("o", "in_person")),
        )
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("Malformed guest request") from None


def registration_token(*, registration_id: int, email: str) -> str:
    return signing.dumps({"r": registration_id, "m": email.lower()}, salt=REGISTRATION_SALT)


def registration_token_read(token: str) -> tuple[int, str]:
    """(registration id, email address); raises signing.BadSignature for a tampered link."""
    data = signing.loads(token, salt=REGISTRATION_SALT)
    try:
        return int(data["r"]), str(data["m"])
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("Malformed registration link") from None


@dataclass(frozen=True)
class Guest:
    """A guest as emails and calendar files address them (the attributes they use of a User)."""

    full_name: str
    email: str

    def get_short_name(self) -> str:
        words = self.full_name.split()
        return words[0] if words else self.full_name


def registrant_person(registration):
    """Who a registration is for: the account, or the guest; None for a deleted account."""
    if registration.user_id is not None:
        return registration.user
    if registration.guest_email:
        return Guest(full_name=registration.guest_name, email=registration.guest_email)
    return None


def confirm_url(*, slug: str, token: str) -> str:
    return absolute_url(reverse("events:guest-confirm", args=[slug, token]))


def registration_url(registration) -> str:
    token = registration_token(registration_id=registration.pk, email=registration.guest_email)
    return absolute_url(reverse("events:guest-registration", args=[registration.event.slug, token]))
