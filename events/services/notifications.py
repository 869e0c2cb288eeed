"""Emails to registrants, written as Notification rows in the transaction that makes the change
and sent by a task after commit."""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from loti_portal.emails import email_build
from loti_portal.utils import absolute_url

from ..calendar import invitation_ics
from ..formatting import format_when
from ..models import Event, EventMessage, Notification, Registration
from ..selectors import waitlist_rank

TEMPLATES = {
    Notification.Kind.CONFIRMED: "events-registration-confirmed",
    Notification.Kind.WAITLISTED: "events-registration-waitlisted",
    Notification.Kind.PROMOTED: "events-registration-promoted",
    Notification.Kind.CANCELLED: "events-registration-cancelled",
    Notification.Kind.EVENT_CHANGED: "events-event-changed",
    Notification.Kind.EVENT_CANCELLED: "events-event-cancelled",
    Notification.Kind.MESSAGE: "events-message",
}

# Which registrations each kind still applies to when the task runs: a confirmation queued just
# before the person cancelled is not sent.
_STILL_APPLIES = {
    Notification.Kind.CONFIRMED: {Registration.Status.CONFIRMED},
    Notification.Kind.PROMOTED: {Registration.Status.CONFIRMED},
    Notification.Kind.WAITLISTED: {Registration.Status.WAITLISTED},
    Notification.Kind.CANCELLED: {Registration.Status.CANCELLED},
    Notification.Kind.EVENT_CHANGED: {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED},
    Notification.Kind.EVENT_CANCELLED: {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED},
    Notification.Kind.MESSAGE: set(Registration.ACTIVE_STATUSES),
}
_SENT_FOR_CANCELLED_EVENT = {Notification.Kind.EVENT_CANCELLED, Notification.Kind.MESSAGE}
# Kinds that report the person's own registration: when several are waiting, only the latest goes.
_REGISTRATION_KINDS = [
    Notification.Kind.CONFIRMED,
    Notification.Kind.WAITLISTED,
    Notification.Kind.PROMOTED,
    Notification.Kind.CANCELLED,
]


def notifications_queue(
    *, items: Iterable[tuple[Registration, str, str]], message: EventMessage | None = None
) -> list[Notification]:
    """Store one notification per (registration, kind, calendar method) in the caller's
    transaction; each is sent by a task once that transaction commits."""
    notifications = Notification.objects.bulk_create(
        Notification(registration=registration, kind=kind, calendar_method=method, message=message)
        for registration, kind, method in items
        if registration.user_id is not None
    )
    ids = [notification.pk for notification in notifications]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return notifications


def _enqueue(ids: list[int]) -> None:
    from ..tasks import send_notification

    for notification_id in ids:
        send_notification.delay(notification_id)


def notification_send(*, notification_id: int) -> str:
    """Send one notification if it is still pending and still applies; return its status.

    The row stays locked while the email goes out, so two workers never both send it, and a
    failure to send rolls back and leaves it pending for the task's retry. Safe to run twice.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("registration__event", "registration__user", "message")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return "done"
        if _applies(notification):
            _email(notification).send()
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
        else:
            notification.status = Notification.Status.SKIPPED
        notification.save(update_fields=["status", "sent_at"])
        return notification.status


def _applies(notification: Notification) -> bool:
    registration = notification.registration
    if registration.user is None or not registration.user.is_active:
        return False
    if (
        registration.event.status == Event.Status.CANCELLED
        and notification.kind not in _SENT_FOR_CANCELLED_EVENT
        and notification.calendar_method != "CANCEL"
    ):
        return False
    if registration.status not in _STILL_APPLIES[notification.kind]:
        return False
    if notification.kind in _REGISTRATION_KINDS:
        return not Notification.objects.filter(
            registration=registration, kind__in=_REGISTRATION_KINDS, pk__gt=notification.pk
        ).exists()
    return True


def _email(notification: Notification):
    registration = notification.registration
    event = registration.event
    person = registration.user
    has_place = registration.holds_place and event.status != Event.Status.CANCELLED
    context = {
        "person": person,
        "event": event,
        "registration": registration,
        "when": format_when(event.start, event.end),
        "event_url": absolute_url(reverse("events:event-detail", args=[event.slug])),
        "my_events_url": absolute_url(reverse("events:my-events")),
        "events_url": absolute_url(reverse("events:event-list")),
        "online_link": event.online_url if has_place else "",
        "has_place": has_place,
        "waitlist_rank": waitlist_rank(registration),
        "message": notification.message,
        "calendar_method": notification.calendar_method,
    }
    attachments = []
    if notification.calendar_method:
        content = invitation_ics(registration=registration, method=notification.calendar_method)
        name = "invitation.ics" if notification.calendar_method == "REQUEST" else "cancellation.ics"
        # Django names the charset of a text attachment itself: naming it here said it twice.
        attachments.append((name, content, f"text/calendar; method={notification.calendar_method}"))
    return email_build(
        template=TEMPLATES[notification.kind], to=[person.email], context=context, attachments=attachments
    )
