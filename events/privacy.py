"""Events' part of "download my data" and of deleting an account (privacy.services), and the
retention of what people answered when they registered."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Model, Prefetch, Q
from django.utils import timezone

from accounts.services import audit_record
from outbox.kinds import kind_label
from outbox.models import Email

from .emails import EVENT_CANCELLED, EVENT_CHANGED, MESSAGE, REGISTRATION_KINDS, REMINDER
from .models import CalendarFeed, Event, EventMessage, Invitation, Question, Registration
from .services import registration_cancel


def events_data_export(*, user) -> dict[str, Any]:
    """Their registrations with their answers, the reminders and registration emails sent to them,
    and their calendar feed. Six queries whatever the person has."""
    feed = CalendarFeed.objects.filter(user=user).first()
    return {
        "registrations": _registrations(user),
        **_emails(user),
        "calendar_feed": {"created_at": feed.created_at} if feed else None,
    }


def _registrations(person) -> list[dict]:
    registrations = (
        Registration.objects.filter(user=person)
        .select_related("event")
        .prefetch_related(Prefetch("event__questions", queryset=Question.objects.order_by("position", "id")))
        .order_by("event__start", "id")
    )
    result = []
    for registration in registrations:
        questions = {str(question.pk): question for question in registration.event.questions.all()}
        answers = [
            {
                "question": questions[key].text if key in questions else "A question no longer asked",
                "answer": ", ".join(value) if isinstance(value, list) else str(value or ""),
            }
            for key, value in registration.answers.items()
        ]
        result.append(
            {
                "event": registration.event.title,
                "event_starts": registration.event.start,
                "status": registration.get_status_display(),
                "registered_at": registration.created_at,
                "cancelled_at": registration.cancelled_at,
                "answers": answers,
            }
        )
    return result


def _emails(person) -> dict[str, list[dict]]:
    """The reminders sent to the person, and the emails about their registrations."""
    rows = list(
        Email.objects.filter(
            user=person,
            about_type="events.event",
            kind__in=[REMINDER, *REGISTRATION_KINDS, EVENT_CHANGED, EVENT_CANCELLED, MESSAGE],
        ).order_by("created_at", "id")
    )
    events = Event.objects.in_bulk({row.about_id for row in rows})
    messages = EventMessage.objects.in_bulk(
        {row.data.get("message_id") for row in rows if row.kind == MESSAGE}
    )
    reminders, notifications = [], []
    for row in rows:
        event = events.get(row.about_id)
        if event is None:
            continue
        if row.kind == REMINDER:
            if row.state == Email.State.SENT:
                reminders.append({"event": event.title, "event_starts": event.start, "sent_at": row.sent_at})
            continue
        message = messages.get(row.data.get("message_id"))
        notifications.append(
            {
                "event": event.title,
                "kind": kind_label(row.kind),
                "subject": message.subject if message else "",
                "status": row.get_state_display(),
                "created_at": row.created_at,
                "sent_at": row.sent_at,
            }
        )
    reminders.sort(key=lambda reminder: (reminder["sent_at"] is None, reminder["sent_at"]))
    return {"reminders_sent": reminders, "notifications": notifications}


def events_data_delete(*, user, emails: set[str]) -> dict[type[Model], list[int]]:
    """Cancel the person's places at events that have not started (through registration_cancel,
    so the waiting list is promoted and the people promoted are told), keep every registration
    without its person or answers (attendance counts stay right), and delete their invitations and
    calendar feed. Call inside the account deletion's transaction; returns the rows whose history
    names them."""
    now = timezone.now()
    upcoming = Registration.objects.filter(
        user=user,
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        event__start__gt=now,
    ).order_by("event__start", "id")
    for registration in upcoming:
        registration_cancel(registration=registration, acting_user=user)

    registrations = Registration.objects.filter(user=user)
    by_email = Q(pk__in=[])
    for email in emails:
        by_email |= Q(email__iexact=email)
    invitations = Invitation.objects.filter(by_email)
    feeds = CalendarFeed.objects.filter(user=user)
    targets = {
        Registration: list(registrations.values_list("pk", flat=True)),
        Invitation: list(invitations.values_list("pk", flat=True)),
        CalendarFeed: list(feeds.values_list("pk", flat=True)),
    }
    invitations.delete()
    feeds.delete()
    registrations.update(user=None, answers={}, updated_at=now)
    return targets


# --- answers kept only as long as needed ----------------------------------------------------


@transaction.atomic
def registration_answers_expire(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete the answers to registration questions, and guests' names, email addresses and
    access needs, for events that ended at least `days` (default settings.ANSWER_RETENTION_DAYS)
    ago. Idempotent; returns how many registrations lost data, and audits each event once."""
    now = now or timezone.now()
    days = settings.ANSWER_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    expired = Registration.objects.filter(event__end__lte=cutoff).filter(
        ~Q(answers={}) | ~Q(guest_email="") | ~Q(guest_name="") | ~Q(access_needs="")
    )
    per_event = expired.order_by().values("event_id").annotate(count=Count("pk"))
    counts = dict(per_event.values_list("event_id", "count"))
    # The emails written to guests (no account) keep their address, and a confirmation link
    # carries what the guest filled in: both go with the rest. "-" is not an address anyone has.
    Email.objects.filter(
        about_type="events.event",
        about_id__in=Event.objects.filter(end__lte=cutoff).values("pk"),
        user__isnull=True,
    ).exclude(to="-").update(to="-", data={})
    if not counts:
        return 0
    updated = Registration.objects.filter(pk__in=expired.values("pk")).update(
        answers={}, guest_name="", guest_email="", access_needs="", updated_at=now
    )
    for event in Event.objects.filter(pk__in=counts):
        audit_record(
            actor=None,
            action="events.event.answers_deleted",
            target=event,
            data={"registrations": counts[event.pk], "retention_days": days},
        )
    return updated
