"""The periodic job after sessions: each run selects what is due and is safe to run twice (the
emails' dedup keys make each one once; they go through the outbox's tasks)."""

from celery import shared_task

from . import selectors, services


@shared_task
def feedback_requests_send() -> int:
    """Periodic (hourly): owe each attendee of yesterday's sessions one feedback request, and
    remind staff of materials without an accessible version. Returns emails written."""
    due = selectors.feedback_due_event_ids()
    written = sum(services.feedback_requests_enqueue(event_id=event_id) for event_id in due)
    return written + services.accessible_version_reminders_enqueue()
