"""Emails that tell people they are invited to an invitation-only session.

Each invitation is claimed before its email is sent (emailed_at set only if it was empty), so a
task that runs twice sends once; a failed send clears the claim for the retry, and a periodic job
queues again any invitation whose task was lost.
"""

from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from loti_portal.emails import email_send
from loti_portal.utils import absolute_url

from ..formatting import format_when
from ..models import Event, Invitation


@transaction.atomic
def invitations_announce(*, invitations: Iterable[Invitation], acting_user: User | None) -> int:
    """Audit new invitations and email each invitee after commit. Returns how many were queued."""
    from ..tasks import send_event_invitation  # the task module imports this one

    count = 0
    for invitation in invitations:
        audit_record(
            actor=acting_user,
            action="events.invitation.created",
            target=invitation.event,
            data={"email": invitation.email},
        )
        transaction.on_commit(partial(send_event_invitation.delay, invitation.pk))
        count += 1
    return count


def invitation_email_send(*, invitation_id: int) -> bool:
    """Send one invitation email unless it was sent already. Raises the mail error to retry."""
    now = timezone.now()
    claimed = Invitation.objects.filter(id=invitation_id, emailed_at__isnull=True).update(emailed_at=now)
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("event").get(id=invitation_id)
    event = invitation.event
    if event.status != Event.Status.PUBLISHED or event.start <= now:
        return False  # nothing to invite to any more; the claim stays so it is not retried
    try:
        email_send(
            template="events-invitation",
            to=[invitation.email],
            context={
                "event": event,
                "when": format_when(event.start, event.end),
                "event_url": absolute_url(reverse("events:event-detail", args=[event.slug])),
                "signup_url": absolute_url(reverse("account_signup")),
            },
        )
    except Exception:
        Invitation.objects.filter(id=invitation_id, emailed_at=now).update(emailed_at=None)
        raise
    return True


def invitation_ids_owed(*, older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Invitations to future published sessions whose email has not gone out (a lost task)."""
    now = timezone.now()
    return list(
        Invitation.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=now - older_than,
            event__status=Event.Status.PUBLISHED,
            event__start__gt=now,
        ).values_list("id", flat=True)
    )
