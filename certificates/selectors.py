"""Who may have a certificate, and what a verification code confirms.

`certificate_refusal_reason` is the one rule for downloading a certificate: every page that
offers one (the event page, "Your events", a guest's page) and both downloads ask it."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from events.formatting import in_london
from events.models import Event, Registration
from events.selectors import guest_registration_for_certificate  # noqa: F401

from .models import Certificate

ORGANISER = "London Office of Technology and Innovation (LOTI)"
# Codes are printed as XXXX-XXXX-XXXX; people may type them in lower case, with spaces or without
# the dashes.
_NOT_CODE_CHARACTERS = re.compile(r"[^0-9A-Z]")


def certificates_offered(event: Event) -> bool:
    """The session gives certificates: a training course, with them turned on, not cancelled."""
    return (
        event.kind == Event.Kind.TRAINING
        and event.certificates_enabled
        and event.status == Event.Status.PUBLISHED
    )


def certificate_name(registration: Registration) -> str:
    """The name printed on the certificate: the account's name, or the name a guest gave."""
    if registration.user_id is not None:
        return registration.user.full_name.strip()
    return registration.guest_name.strip()


def certificate_refusal_reason(registration: Registration | None, *, now=None) -> str | None:
    """Why this registration has no certificate, in words to show the person; None if it has
    one. No queries beyond the registration's event and person (select_related them)."""
    if registration is None or not certificates_offered(registration.event):
        return "This session does not give certificates."
    if registration.status != Registration.Status.ATTENDED:
        return "Certificates are for people who attended the session."
    if (now or timezone.now()) < registration.event.end:
        return "Your certificate will be ready when the session ends."
    if not certificate_name(registration):
        return "Add your full name to your account to get a certificate with your name on it."
    return None


def certificate_available(registration: Registration | None) -> bool:
    return certificate_refusal_reason(registration) is None


def normalise_code(raw: str) -> str:
    """A code as stored (XXXX-XXXX-XXXX) from what someone typed; "" if it cannot be one."""
    characters = _NOT_CODE_CHARACTERS.sub("", (raw or "").upper())
    if len(characters) != 12:
        return ""
    return "-".join(characters[i : i + 4] for i in range(0, 12, 4))


@dataclass(frozen=True)
class Verified:
    """What the public verification page confirms: no email address, nothing else about them."""

    code: str
    name: str
    course: str
    date: date
    hours: str
    organiser: str


def hours_text(event: Event) -> str:
    """The length of the session in hours, as printed: "3 hours", "1.5 hours", "1 hour"."""
    minutes = int((event.end - event.start).total_seconds() // 60)
    hours = round(minutes / 60, 2)
    shown = f"{hours:g}"
    return f"{shown} hour" if shown == "1" else f"{shown} hours"


def organiser_text(event: Event) -> str:
    if event.network_id:
        return f"{ORGANISER}, {event.network.name}"
    return ORGANISER


def certificate_verified(*, code: str) -> Verified | None:
    """What a verification code confirms, or None if no certificate has it (or the attendance
    behind it is no longer recorded). One query."""
    code = normalise_code(code)
    if not code:
        return None
    certificate = (
        Certificate.objects.select_related("registration__event__network", "registration__user")
        .filter(code=code)
        .first()
    )
    if certificate is None:
        return None
    registration = certificate.registration
    name = certificate_name(registration)
    if registration.status != Registration.Status.ATTENDED or not name:
        return None
    event = registration.event
    return Verified(
        code=certificate.code,
        name=name,
        course=event.title,
        date=in_london(event.start).date(),
        hours=hours_text(event),
        organiser=organiser_text(event),
    )
