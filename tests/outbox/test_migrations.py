"""The upgrade carries every email the old tables owed or sent over to the outbox."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from outbox.models import Email
from outbox.services import outbox_sweep
from tests.helpers import need

BEFORE = [
    ("accounts", "0002_user_show_name_to_attendees"),
    ("events", "0004_invitation_emailed_at"),
    ("networks", "0003_cadence_and_reminders"),
    ("outbox", "0001_initial"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_pending_and_sent_emails_are_carried_over_and_the_pending_ones_go(mailoutbox):
    # Events' migrations have two branches (guests; hybrid sessions) merged. Unapplying one on
    # SQLite rebuilds the table without the other branch's columns, so going back needs PostgreSQL.
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL) to unapply migrations")
    old = migrate(BEFORE)
    try:
        User = old.get_model("accounts", "User")
        Event = old.get_model("events", "Event")
        Registration = old.get_model("events", "Registration")
        Notification = old.get_model("events", "Notification")
        ReminderDelivery = old.get_model("events", "ReminderDelivery")
        Invitation = old.get_model("events", "Invitation")
        Network = old.get_model("networks", "Network")
        Membership = old.get_model("networks", "Membership")
        NetworkEmail = old.get_model("networks", "NetworkEmail")
        now = timezone.now()
        amara = User.objects.create(email="amara@camden.gov.uk", full_name="Amara", password="!")
        tom = User.objects.create(email="tom@hackney.gov.uk", full_name="Tom", password="!")
        network = Network.objects.create(name="Data Leaders", slug="data-leaders", summary="Leaders")
        event = Event.objects.create(
            title="Data Leaders meeting",
            slug="data-leaders-meeting",
            kind="network_meeting",
            network=network,
            status="published",
            start=now + timedelta(hours=20),
            end=now + timedelta(hours=21),
        )
        registration = Registration.objects.create(event=event, user=amara, status="confirmed")
        Notification.objects.create(registration=registration, kind="confirmed", calendar_method="REQUEST")
        ReminderDelivery.objects.create(event=event, user=amara, offset_hours=24, status="sent", sent_at=now)
        ReminderDelivery.objects.create(event=event, user=tom, offset_hours=24, status="sending")
        Invitation.objects.create(event=event, email="chief@camden.gov.uk")
        membership = Membership.objects.create(user=tom, network=network, status="active", joined_at=now)
        NetworkEmail.objects.create(kind="joined", membership=membership, recipient=tom.email)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    rows = {(email.kind, email.to): email for email in Email.objects.all()}
    assert set(rows) == {
        ("events.confirmed", "amara@camden.gov.uk"),
        ("events.reminder", "amara@camden.gov.uk"),
        ("events.reminder", "tom@hackney.gov.uk"),
        ("events.invitation", "chief@camden.gov.uk"),
        ("networks.joined", "tom@hackney.gov.uk"),
    }
    sent_reminder = rows[("events.reminder", "amara@camden.gov.uk")]
    assert sent_reminder.state == Email.State.SENT
    assert sent_reminder.dedup_key == f"events.reminder:{event.pk}:{amara.pk}:24"
    # A reminder being sent at the upgrade is owed again; one already sent is not sent again.
    assert rows[("events.reminder", "tom@hackney.gov.uk")].state == Email.State.PENDING

    assert outbox_sweep()["queued"] == 4
    assert sorted((message.to[0], message.subject.split(":")[0]) for message in mailoutbox) == [
        ("amara@camden.gov.uk", "Your place at Data Leaders meeting is confirmed"),
        ("chief@camden.gov.uk", "You are invited"),
        ("tom@hackney.gov.uk", "Reminder"),
        ("tom@hackney.gov.uk", "Welcome to Data Leaders"),
    ]
