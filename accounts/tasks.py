from celery import shared_task

from .privacy import registration_answers_expire


@shared_task
def registration_answers_delete_expired() -> int:
    """Daily: delete answers to registration questions kept past ANSWER_RETENTION_DAYS.
    Safe to run twice: answers already deleted are not touched again."""
    return registration_answers_expire()
