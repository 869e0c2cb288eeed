"""Carry every network email over to the outbox: unsent ones stay owed (the sweeper sends them),
sent ones keep their history."""

from django.db import migrations

BATCH = 1000


def forwards(apps, schema_editor):
    Email = apps.get_model("outbox", "Email")
    NetworkEmail = apps.get_model("networks", "NetworkEmail")
    rows = []
    emails = NetworkEmail.objects.select_related("membership__user", "invitation").order_by("pk")
    for email in emails.iterator(chunk_size=BATCH):
        membership, invitation = email.membership, email.invitation
        network_id = membership.network_id if membership is not None else invitation.network_id
        user_id = None
        if membership is not None and membership.user.email.lower() == email.recipient.lower():
            user_id = membership.user_id
        rows.append(
            Email(
                kind=f"networks.{email.kind}",
                to=email.recipient,
                user_id=user_id,
                about_type="networks.network",
                about_id=network_id,
                data={
                    **(email.data or {}),
                    "membership_id": email.membership_id,
                    "invitation_id": email.invitation_id,
                },
                state="sent" if email.sent_at else "pending",
                attempts=1 if email.sent_at else 0,
                created_at=email.created_at,
                available_at=email.created_at,
                sent_at=email.sent_at,
            )
        )
        if len(rows) >= BATCH:
            Email.objects.bulk_create(rows)
            rows.clear()
    Email.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ("networks", "0003_cadence_and_reminders"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
