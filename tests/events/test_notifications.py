"""Registrant emails are stored with the change and sent once, after commit, by a task."""

from smtplib import SMTPServerDisconnected

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend

from events.models import Notification
from events.services import notification_send, registration_cancel, registration_create
from events.tasks import send_notification


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
    assert Notification.objects.get().status == Notification.Status.PENDING
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_running_the_send_task_twice_sends_once(event, member, mailoutbox):
    register(event, member)
    notification = Notification.objects.get()
    assert send_notification.delay(notification.pk).get() == "sent"
    assert send_notification.delay(notification.pk).get() == "done"
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None


def test_only_the_latest_news_about_a_registration_is_sent(event, member, mailoutbox):
    registration = register(event, member)
    registration_cancel(registration=registration, acting_user=member)
    for notification in Notification.objects.order_by("pk"):
        notification_send(notification_id=notification.pk)
    assert [m.subject for m in mailoutbox] == [f"You have cancelled your registration for {event.title}"]
    statuses = list(Notification.objects.order_by("pk").values_list("kind", "status"))
    assert statuses == [("confirmed", "skipped"), ("cancelled", "sent")]


def test_a_dropped_smtp_connection_leaves_it_pending_and_the_retry_sends_it_once(event, member, settings):
    settings.EMAIL_BACKEND = "tests.events.test_notifications.FailsOnceBackend"
    FailsOnceBackend.failures_left = 1
    mail.outbox = []
    register(event, member)
    notification = Notification.objects.get()
    with pytest.raises(Retry):
        send_notification.delay(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert mail.outbox == []

    assert send_notification.delay(notification.pk).get() == "sent"
    assert send_notification.delay(notification.pk).get() == "done"
    assert len(mail.outbox) == 1


def test_emails_are_multipart_with_the_event_details(event, member, mailoutbox, committed):
    with committed():
        register(event, member)
    message = mailoutbox[0]
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    assert event.title in message.body and event.title in html
    assert "London time" in message.body
    assert event.online_url in message.body
    assert "&amp;" not in message.body
