"""Registrant emails are outbox rows written with the change and sent once, after commit."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.utils import timezone

from events.formatting import format_datetime
from events.joining import join_address
from events.models import Registration
from events.services import registration_cancel, registration_create
from outbox.models import Email
from outbox.services import emails_send
from outbox.tasks import emails_send as emails_send_task


class FailsOnceBackend(MemoryBackend):
    """An SMTP server that drops the first connection, then accepts mail."""

    failures_left = 1

    def send_messages(self, messages):
        if FailsOnceBackend.failures_left:
            FailsOnceBackend.failures_left -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def register(event, user):
    return registration_create(event=event, user=user, answers={}, acting_user=user)


def test_nothing_is_sent_before_commit(event, member, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(event, member)
    assert mailoutbox == []
    email = Email.objects.get()
    assert email.state == Email.State.PENDING
    assert (email.kind, email.to, email.user, email.about_id) == (
        "events.confirmed",
        member.email,
        member,
        event.pk,
    )
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_running_the_send_task_twice_sends_once(event, member, mailoutbox):
    register(event, member)
    email = Email.objects.get()
    assert emails_send_task.delay([email.pk]).get()["sent"] == 1
    assert emails_send_task.delay([email.pk]).get() == {"sent": 0, "skipped": 0, "failed": 0, "retry": 0}
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.state == Email.State.SENT
    assert email.sent_at is not None


def test_only_the_latest_news_about_a_registration_is_sent(event, member, mailoutbox):
    registration = register(event, member)
    registration_cancel(registration=registration, acting_user=member)
    for email in Email.objects.order_by("pk"):
        emails_send(email_ids=[email.pk])
    assert [m.subject for m in mailoutbox] == [f"You have cancelled your registration for {event.title}"]
    states = list(Email.objects.order_by("pk").values_list("kind", "state"))
    assert states == [("events.confirmed", "skipped"), ("events.cancelled", "sent")]


def test_a_dropped_smtp_connection_leaves_it_pending_and_the_retry_sends_it_once(
    event, member, settings, committed
):
    settings.EMAIL_BACKEND = "tests.events.test_notifications.FailsOnceBackend"
    FailsOnceBackend.failures_left = 1
    mail.outbox = []
    with committed():
        register(event, member)  # the send after commit meets the dropped connection
    email = Email.objects.get()
    assert email.state == Email.State.PENDING
    assert "Connection unexpectedly closed" in email.last_error
    assert email.available_at > timezone.now()  # not before its backoff
    assert mail.outbox == []
    assert emails_send_task.delay([email.pk]).get()["sent"] == 0  # too soon

    with time_machine.travel(email.available_at + timedelta(seconds=1)):
        assert emails_send_task.delay([email.pk]).get()["sent"] == 1
        assert emails_send_task.delay([email.pk]).get()["sent"] == 0
    assert len(mail.outbox) == 1


def test_emails_are_multipart_with_the_event_details(event, member, mailoutbox, committed):
    with committed():
        register(event, member)
    message = mailoutbox[0]
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    assert event.title in message.body and event.title in html
    assert "London time" in message.body
    # The person's own joining address, not the meeting link: staff may change the link later.
    registration = Registration.objects.get(event=event, user=member)
    assert join_address(registration) in message.body
    assert event.online_url not in message.body
    assert "&amp;" not in message.body


def test_an_update_says_the_time_the_event_has_when_it_is_sent(event, member, staff, mailoutbox, committed):
    from events.services import event_save

    with committed():
        register(event, member)
    mailoutbox.clear()
    with committed(execute=False):
        event.start += timedelta(days=1)
        event.end += timedelta(days=1)
        event_save(event=event, acting_user=staff)
    # Moved again before the update went out: the one update says the latest time.
    event.start += timedelta(hours=2)
    event.end += timedelta(hours=2)
    event.save()
    pending = Email.objects.get(state=Email.State.PENDING)
    emails_send(email_ids=[pending.pk])
    [message] = mailoutbox
    assert format_datetime(event.start) in message.body
