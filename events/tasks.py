from smtplib import SMTPException

from celery import shared_task

from . import reminders
from .services.invitations import invitation_email_send, invitation_ids_owed
from .services.notifications import notification_send

# One email per task: retried with backoff while the mail server is unreachable or refusing.
RETRY_ON_MAIL_ERRORS = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY_ON_MAIL_ERRORS)
def send_notification(notification_id: int) -> str:
    """Send one registrant email. Safe to run twice: a sent notification is not sent again."""
    return notification_send(notification_id=notification_id)


@shared_task(
    autoretry_for=(reminders.TransientEmailError,),
    retry_backoff=30,
    retry_backoff_max=10 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_reminder_chunk(delivery_ids: list[int]) -> dict[str, int]:
    """Send a chunk of reminders over one SMTP connection. Safe to run twice: rows are claimed."""
    return reminders.reminders_send_chunk(delivery_ids=delivery_ids)


@shared_task
def send_due_reminders() -> dict[str, int]:
    """Periodic (every few minutes): write due reminders to the outbox and hand them out."""
    return reminders.reminders_run_due()


@shared_task(**RETRY_ON_MAIL_ERRORS)
def send_event_invitation(invitation_id: int) -> bool:
    """Email one invitation to an invitation-only session. Safe to run twice."""
    return invitation_email_send(invitation_id=invitation_id)


@shared_task
def send_owed_event_invitations() -> int:
    """Periodic: queue again invitations whose first task was lost."""
    ids = invitation_ids_owed()
    for invitation_id in ids:
        send_event_invitation.delay(invitation_id)
    return len(ids)
