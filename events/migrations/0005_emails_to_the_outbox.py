"""Carry every registrant email, reminder and invitation email over to the outbox.

Pending rows stay pending (the outbox's sweeper sends them), sent and skipped rows keep their
history, and each reminder keeps its (event, person, offset) uniqueness as its dedup key, so a
reminder already sent is not sent again. A reminder claimed by a worker at the moment of the
upgrade ("sending") is pending again. An invitation not yet emailed is owed only while its
session is published and in the future, as before.
"""

from django.db import migrations
from django.utils import timezone

BATCH = 1000
_REMINDER_STATES = {"pending": "pending", "sending": "pending", "sent": "sent", "failed": "failed", "skipped": "skipped"}


def forwards(apps, schema_editor):
    Email = apps.get_model("outbox", "Email")
    Notification = apps.get_model("events", "Notification")
    ReminderDelivery = apps.get_model("events", "ReminderDelivery")
    Invitation = apps.get_model("events", "Invitation")
    now = timezone.now()

    rows = []

    def flush(force=False):
        if rows and (force or len(rows) >= BATCH):
            Email.objects.bulk_create(rows, batch_size=BATCH)
            rows.clear()

    notifications = Notification.objects.select_related("registration__user").order_by("pk")
    for notification in notifications.iterator(chunk_size=BATCH):
        registration = notification.registration
        if registration.user_id is None:
            continue  # a deleted account: nobody to write to
        data = {"registration_id": registration.pk, "calendar_method": notification.calendar_method}
        if notification.message_id:
            data["message_id"] = notification.message_id
        rows.append(
            Email(
                kind=f"events.{notification.kind}",
                to=registration.user.email,
                user_id=registration.user_id,
                about_type="events.event",
                about_id=registration.event_id,
                data=data,
                state=notification.status,
                attempts=1 if notification.status == "sent" else 0,
                created_at=notification.created_at,
                available_at=notification.created_at,
                sent_at=notification.sent_at,
            )
        )
        flush()
    flush(force=True)

    deliveries = ReminderDelivery.objects.select_related("user").order_by("pk")
    for delivery in deliveries.iterator(chunk_size=BATCH):
        rows.append(
            Email(
                kind="events.reminder",
                to=delivery.user.email,
                user_id=delivery.user_id,
                about_type="events.event",
                about_id=delivery.event_id,
                data={"offset_hours": delivery.offset_hours},
                dedup_key=f"events.reminder:{delivery.event_id}:{delivery.user_id}:{delivery.offset_hours}",
                state=_REMINDER_STATES[delivery.status],
                attempts=delivery.attempts,
                created_at=delivery.created_at,
                available_at=delivery.created_at,
                sent_at=delivery.sent_at,
                last_error=delivery.last_error,
            )
        )
        flush()
    flush(force=True)

    invitations = Invitation.objects.select_related("event").order_by("pk")
    for invitation in invitations.iterator(chunk_size=BATCH):
        if invitation.emailed_at is None:
            event = invitation.event
            if event.status != "published" or event.start <= now:
                continue
            state = "pending"
        else:
            state = "sent"
        rows.append(
            Email(
                kind="events.invitation",
                to=invitation.email,
                about_type="events.event",
                about_id=invitation.event_id,
                data={"invitation_id": invitation.pk},
                dedup_key=f"events.invitation:{invitation.pk}",
                state=state,
                attempts=1 if state == "sent" else 0,
                created_at=invitation.created_at,
                available_at=invitation.created_at,
                sent_at=invitation.emailed_at,
            )
        )
        flush()
    flush(force=True)


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0004_invitation_emailed_at"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
