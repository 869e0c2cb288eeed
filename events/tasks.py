from celery import shared_task

from . import reminders
from .services import waitlist_offers_lapse


@shared_task
def send_due_reminders() -> dict[str, int]:
    """Periodic (every few minutes): write due reminders to the outbox and sweep it."""
    return reminders.reminders_run_due()


@shared_task
def lapse_waitlist_offers() -> int:
    """Periodic (every few minutes): offers of a freed place whose time is up pass to the next
    person waiting. Safe to run twice (see waitlist_offers_lapse)."""
    return waitlist_offers_lapse()
