"""The outbox's part of deleting an account (privacy.services). What the emails said is exported
by the app that wrote them (events.privacy lists the reminders and registration emails)."""

from django.db.models import Q

from .models import Email


def outbox_data_delete(*, user, emails: set[str]) -> None:
    """Delete every email to the person, by account or to any of their addresses, sent or owed.
    Runs after the other apps' parts, so the emails their cancellations wrote go too."""
    to_them = Q(user=user)
    for email in emails:
        to_them |= Q(to__iexact=email)
    Email.objects.filter(to_them).delete()
