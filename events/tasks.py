from celery import shared_task

from . import reminders
from .services import events_mark_no_shows, waitlist_offers_lapse


@shared_task
def send_due_reminders() -> dict[str, int]:
    """Periodic (every few minutes): write due reminders to the outbox and sweep it."""
    return reminders.reminders_run_due()


@shared_task
def lapse_waitlist_offers() -> int:
    """Periodic (every few minutes): offers of a freed place whose time is up pass to the next
    person waiting. Safe to run twice (see waitlist_offers_lapse)."""
    return waitlist_offers_lapse()


@shared_task
def mark_no_shows() -> int:
    """Periodic (hourly): people with a place at a session that has ended who were not checked
    in are marked as not having come. Safe to run twice."""
    return events_mark_no_shows()
