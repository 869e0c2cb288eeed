"""Emails to registrants: one outbox row per person and change, written in the transaction that
makes the change (see outbox.services); what each says is written when it is sent (events.emails)."""

from collections.abc import Iterable

from outbox.models import Email
from outbox.services import enqueue

from ..emails import registrant_email_data
from ..models import EventMessage, Registration


def notifications_queue(
    *, items: Iterable[tuple[Registration, str, str]], message: EventMessage | None = None
) -> list[Email]:
    """Owe one email per (registration, kind, calendar method) in the caller's transaction; each
    is sent once that transaction commits. Guests are written to at their address;
    registrations of deleted accounts are left out."""
    emails = []
    for registration, kind, method in items:
        if registration.user_id is None and not registration.guest_email:
            continue
        emails.append(
            enqueue(
                kind=kind,
                to=registration.user.email if registration.user_id else registration.guest_email,
                user=registration.user,
                about=registration.event,
                data=registrant_email_data(
                    registration=registration, calendar_method=method, message=message
                ),
            )
        )
    return emails
