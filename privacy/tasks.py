"""Background work for privacy: data kept only as long as it is needed."""

from celery import shared_task

from events import privacy as events_privacy


@shared_task
def registration_answers_expire() -> int:
    """Daily: delete answers to registration questions kept past ANSWER_RETENTION_DAYS.
    Safe to run twice: answers already deleted are not touched again."""
    return events_privacy.registration_answers_expire()
