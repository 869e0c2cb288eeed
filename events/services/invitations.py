"""Emails that tell people they are invited to an invitation-only session: one outbox row per
invitation (its dedup key makes it once per invitation), written with the invitation."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from accounts.services import audit_record
from loti_portal import versions
from outbox.services import enqueue

from ..emails import INVITATION
from ..models import Invitation


@transaction.atomic
def invitations_announce(*, invitations: Iterable[Invitation], acting_user: User | None) -> int:
    """Audit new invitations and owe each invitee an email, sent once this transaction commits.
    Returns how many were queued; an invitation already announced is not emailed again."""
    count = 0
    for invitation in invitations:
        audit_record(
            actor=acting_user,
            action="events.invitation.created",
            target=invitation.event,
            data={"email": invitation.email},
        )
        queued = enqueue(
            kind=INVITATION,
            to=invitation.email,
            about=invitation.event,
            data={"invitation_id": invitation.pk},
            dedup_key=f"{INVITATION}:{invitation.pk}",
        )
        count += queued is not None
        # The invitee may see the session now.
        versions.event_changed(slug=invitation.event.slug)
    return count
