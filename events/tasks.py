from smtplib import SMTPException

from celery import shared_task

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
