from celery import shared_task

from . import services


@shared_task
def emails_send(email_ids: list[int]) -> dict[str, int]:
    """Send a chunk of owed emails over one SMTP connection. Safe to run twice: rows are claimed,
    and a mail server failure puts them back for a later try rather than retrying here."""
    return services.emails_send(email_ids=email_ids)


@shared_task
def emails_sweep() -> dict[str, int]:
    """Periodic (every OUTBOX_SWEEP_SECONDS, 30 by default): hand out owed emails no worker has,
    and those due for a retry."""
    return services.outbox_sweep()
