from celery import shared_task

from . import reminders


@shared_task
def send_due_reminders() -> dict[str, int]:
    """Periodic (every few minutes): write due reminders to the outbox and sweep it."""
    return reminders.reminders_run_due()
