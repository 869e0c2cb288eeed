"""Background work for the newsletter. Each task is safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def issue_send(issue_id: int) -> int:
    """Owe a due issue to every subscriber (claimed first, so twice sends once)."""
    return services.issue_send(issue_id=issue_id)


@shared_task
def issues_send_due() -> int:
    """Periodic (every minute): start each scheduled issue whose time has come, and suppress the
    subscribers whose address the mail server refused for good."""
    services.subscribers_suppress_refused()
    due = services.issues_due()
    for issue_id in due:
        issue_send.delay(issue_id)
    return len(due)


@shared_task
def subscribers_purge() -> dict[str, int]:
    """Periodic (daily): delete unconfirmed sign-ups after 7 days and unsubscribed addresses after 30."""
    return services.subscribers_purge()


@shared_task
def sessions_record_published() -> int:
    """Periodic (hourly): note when each session was first published, for the digests."""
    return services.sessions_record_published()


@shared_task
def digests_send() -> int:
    """Periodic (weekly, Monday morning): owe each member who asked for one their digest."""
    return services.digests_send()
