"""Issuing certificates of attendance."""

import secrets

from django.db import IntegrityError, transaction

from accounts.services import audit_record
from events.models import Registration

from .models import Certificate
from .selectors import certificate_refusal_reason

# Crockford's base 32 without I, L, O and U: nothing to misread when typing a code from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CertificateRefused(Exception):
    """No certificate for this registration; the message says why, in words to show the person."""


def _new_code() -> str:
    characters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))  # 60 random bits
    return "-".join(characters[i : i + 4] for i in range(0, 12, 4))


def certificate_issue(*, registration: Registration) -> Certificate:
    """The registration's certificate: made (with a new random code) the first time, the same one
    afterwards, so its code stays the same however often it is downloaded. Safe under concurrent
    requests (the one-per-registration constraint decides). Raises CertificateRefused when the
    person may not have one (certificates.selectors.certificate_refusal_reason)."""
    reason = certificate_refusal_reason(registration)
    if reason:
        raise CertificateRefused(reason)
    existing = Certificate.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(registration=registration, code=_new_code())
            audit_record(
                actor=registration.user,
                action="certificates.certificate.issued",
                target=certificate,
                data={"event": registration.event.slug, "guest": registration.is_guest},
            )
    except IntegrityError:
        # Another request made it first.
        return Certificate.objects.get(registration=registration)
    return certificate
