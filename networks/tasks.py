"""Background work for networks: sending the emails that memberships and invitations owe."""

from smtplib import SMTPException

from celery import shared_task

from networks import services


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=8,
)
def network_email_send(email_id: int) -> bool:
    """Send one owed email (see services.network_email_deliver); safe to run twice."""
    return services.network_email_deliver(email_id=email_id)


@shared_task
def network_emails_send_owed() -> int:
    """Periodic: queue again the emails whose first task was lost (for example a broker outage)."""
    email_ids = services.network_email_ids_owed()
    for email_id in email_ids:
        network_email_send.delay(email_id)
    return len(email_ids)
