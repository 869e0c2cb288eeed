"""Background work for networks: the emails memberships and invitations owe, and meetings."""

from smtplib import SMTPException

from celery import shared_task

from networks import meetings, services
from networks.models import Network


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


@shared_task
def network_meetings_refresh(network_id: int) -> tuple[int, int]:
    """After a network's cadence changed: replace future untouched meetings. Safe to run twice."""
    network = Network.objects.filter(id=network_id).first()
    if network is None:
        return (0, 0)
    return meetings.meetings_replace_future(network=network)


@shared_task
def networks_generate_meetings() -> dict[str, int]:
    """Periodic (daily): create each network's meetings up to its horizon. Idempotent."""
    return meetings.meetings_generate_all()
