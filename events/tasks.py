from celery import shared_task

from . import reminders, services


@shared_task
def reminders_send_due() -> dict[str, int]:
    """Periodic (every few minutes): write due reminders to the outbox and sweep it."""
    return reminders.reminders_run_due()


@shared_task
def waitlist_offers_lapse() -> int:
    """Periodic (every few minutes): offers of a freed place whose time is up pass to the next
    person waiting. Safe to run twice (see services.waitlist_offers_lapse)."""
    return services.waitlist_offers_lapse()


@shared_task
def no_shows_mark() -> int:
    """Periodic (hourly): people with a place at a session that has ended who were not checked
    in are marked as not having come. Safe to run twice."""
    return services.events_mark_no_shows()
