from smtplib import SMTPException

from celery import shared_task

from . import reminders
from .services.notifications import notification_send


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
)
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
