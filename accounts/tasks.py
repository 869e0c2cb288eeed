from smtplib import SMTPException

from celery import shared_task

from . import services
from .privacy import registration_answers_expire


@shared_task
def registration_answers_delete_expired() -> int:
    """Daily: delete answers to registration questions kept past ANSWER_RETENTION_DAYS.
    Safe to run twice: answers already deleted are not touched again."""
    return registration_answers_expire()


_EMAIL_RETRIES = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**_EMAIL_RETRIES)
def organisation_request_notify_staff(request_id: int) -> bool:
    """Tell staff of an organisation request awaiting review; safe to run twice."""
    return services.organisation_request_staff_email_send(request_id=request_id)


@shared_task(**_EMAIL_RETRIES)
def organisation_request_notify_person(request_id: int) -> bool:
    """Tell the person how staff decided their organisation request; safe to run twice."""
    return services.organisation_request_person_email_send(request_id=request_id)


@shared_task
def organisation_requests_notify_owed() -> int:
    """Periodic: queue again the staff emails of requests whose first task was lost."""
    request_ids = services.organisation_request_ids_owed_to_staff()
    for request_id in request_ids:
        organisation_request_notify_staff.delay(request_id)
    return len(request_ids)


@shared_task(**_EMAIL_RETRIES)
def sign_in_attempts_notify(user_id: int, email: str) -> None:
    """Tell a person that someone keeps failing to sign in to their account (accounts.throttles)."""
    services.sign_in_attempts_email_send(user_id=user_id, email=email)
