"""Certificates' part of "download my data" and of deleting an account (accounts.privacy)."""

from typing import Any

from events.formatting import in_london

from .models import Certificate


def certificates_data_export(*, user) -> dict[str, Any]:
    """The certificates the person has downloaded, with their codes. One query."""
    certificates = (
        Certificate.objects.filter(registration__user=user)
        .select_related("registration__event")
        .order_by("registration__event__start", "pk")
    )
    return {
        "certificates": [
            {
                "course": certificate.registration.event.title,
                "date": in_london(certificate.registration.event.start).date().isoformat(),
                "verification_code": certificate.code,
                "issued_at": certificate.issued_at,
            }
            for certificate in certificates
        ]
    }


def certificates_data_delete(*, user, emails: set[str] | None = None) -> None:
    """Delete the person's certificates, so their codes confirm nothing about them any more. Call
    inside the account deletion's transaction, before its registrations lose their person.
    (A guest's certificate goes with their registration when they delete their details.)"""
    Certificate.objects.filter(registration__user=user).delete()
