"""Mentoring's periodic jobs, each safe to run twice (its emails go through the outbox's tasks)."""

from celery import shared_task

from . import circles, services


@shared_task
def mentoring_requests_move_on() -> int:
    """Periodic: requests whose mentor did not answer in time go to the next mentor, once."""
    return sum(
        services.pairing_expire(pairing_id=pairing_id) for pairing_id in services.pairing_ids_expired()
    )


@shared_task
def mentoring_check_in_reminders_send() -> int:
    """Periodic (daily): one reminder to pairs who have not logged a check-in in time."""
    return sum(
        services.check_in_reminder_send(pairing_id=pairing_id)
        for pairing_id in services.pairing_ids_check_in_overdue()
    )


@shared_task
def mentoring_pairings_complete() -> int:
    """Periodic (daily): pairings that reached their end date are completed, once."""
    return sum(
        services.pairing_complete(pairing_id=pairing_id) for pairing_id in services.pairing_ids_ended()
    )


@shared_task
def mentoring_circle_meetings_generate() -> int:
    """Periodic (daily): each circle's meetings a rolling window ahead. Idempotent."""
    return circles.circle_meetings_generate_all()


@shared_task
def mentoring_circle_reminders_send() -> int:
    """Periodic: a reminder to each member the day before a circle meeting, once."""
    return circles.circle_reminders_send()
