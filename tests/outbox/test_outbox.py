"""The outbox: a row with the change, one claim, sent once, retried later, swept, never raising
into the page that caused it."""

import itertools
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError

from events.services import registration_create
from outbox import services
from outbox.models import Email
from outbox.services import (
    RETRY_MAX,
    email_claim,
    email_send_again,
    emails_send,
    enqueue,
    outbox_sweep,
    retry_delay,
)
from outbox.tasks import emails_send as emails_send_task
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def event(db):
    return EventFactory(title="Data ethics training", slug="data-ethics-training")


def register(event, person):
    return registration_create(event=event, user=person, answers={}, acting_user=person)


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses every task, as kombu does when Redis is down."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(emails_send_task, "delay", refuse)
    monkeypatch.setattr(services, "_broker_paused_until", 0.0)
    return monkeypatch


@pytest.mark.django_db(transaction=True)
def test_an_email_is_enqueued_only_inside_the_change_s_transaction(member):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        enqueue(kind="networks.joined", to=member.email)
    assert not Email.objects.exists()


def test_an_unknown_kind_is_refused_when_enqueued(member):
    with pytest.raises(LookupError):
        enqueue(kind="events.nothing", to=member.email)


def test_a_dedup_key_is_unique_in_the_database(member, event):
    first = enqueue(kind="events.invitation", to=member.email, data={"invitation_id": 1}, dedup_key="x:1")
    again = enqueue(kind="events.invitation", to=member.email, data={"invitation_id": 1}, dedup_key="x:1")
    assert first is not None and again is None
    assert Email.objects.count() == 1


def test_a_row_is_claimed_once_and_not_before_it_is_due(member, event):
    register(event, member)
    email = Email.objects.get()
    now = timezone.now()
    assert [row.pk for row in email_claim(email_ids=[email.pk], now=now)] == [email.pk]
    assert email_claim(email_ids=[email.pk], now=now) == []
    Email.objects.update(state=Email.State.PENDING, available_at=now + timedelta(minutes=1))
    assert email_claim(email_ids=[email.pk], now=now) == []


def test_with_the_broker_down_the_change_commits_and_the_sweeper_sends_it_later(
    member, event, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, member)  # no exception reaches the caller
    assert registration.pk is not None
    email = Email.objects.get()
    assert email.state == Email.State.PENDING and email.queued_at is None
    assert mail.outbox == []
    # While paused after the refusal, this process does not even try the broker.
    assert services.hand_out(email_ids=[email.pk]) == 0

    broker_down.undo()  # the broker is back: the next sweep hands it out
    assert outbox_sweep() == {"released": 0, "queued": 1}
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert outbox_sweep() == {"released": 0, "queued": 0}


def test_an_email_that_cannot_be_written_is_failed_for_staff_and_can_be_sent_again(member, event, staff):
    register(event, member)
    email = Email.objects.get()
    Email.objects.update(data={"registration_id": None, "calendar_method": "REQUEST"})
    Email.objects.update(kind="events.message")  # a message with no message: nothing to write
    assert emails_send(email_ids=[email.pk])["skipped"] == 1

    Email.objects.update(kind="events.confirmed", state=Email.State.PENDING, data={"registration_id": "x"})
    assert emails_send(email_ids=[email.pk])["failed"] == 1
    email.refresh_from_db()
    assert email.state == Email.State.FAILED and email.last_error.startswith("Could not be written")

    registration = member.registrations.get()
    Email.objects.update(data={"registration_id": registration.pk, "calendar_method": "REQUEST"})
    assert email_send_again(email=email, acting_user=staff) is True
    assert email_send_again(email=email, acting_user=staff) is False  # pending now, not failed
    assert emails_send(email_ids=[email.pk])["sent"] == 1
    assert len(mail.outbox) == 1


def test_the_backoff_doubles_up_to_half_an_hour():
    with time_machine.travel(timezone.now()):
        waits = [retry_delay(attempts).total_seconds() for attempts in range(1, 10)]
    assert 24 <= waits[0] <= 30
    assert all(later > earlier * 1.5 for earlier, later in itertools.pairwise(waits[:6]))
    assert max(waits) <= RETRY_MAX.total_seconds()


def test_a_row_written_and_rolled_back_is_never_sent(member, event, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        register(event, member)
        1 / 0  # noqa: B018
    assert not Email.objects.exists()
    assert mail.outbox == []


# --- marking a chunk's sent rows ---------------------------------------------------------------


class WorkerKilled(BaseException):
    """What a SIGKILL does to the code running: nothing after it runs, no handler sees it."""


class MailServer(locmem.EmailBackend):
    """Django's memory backend, with something that happens as one given message is sent."""

    on_send = None  # (index of the message, what happens before it is accepted)

    def send_messages(self, messages):
        if MailServer.on_send and len(mail.outbox) == MailServer.on_send[0]:
            MailServer.on_send[1]()
        return super().send_messages(messages)


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServer"
    yield MailServer
    MailServer.on_send = None


def owed_confirmations(event, count: int) -> list[int]:
    for number in range(count):
        register(event, UserFactory(email=f"person.{number}@camden.gov.uk"))
    return list(Email.objects.order_by("id").values_list("id", flat=True))


def outbox_writes(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].startswith('UPDATE "outbox_email"')]


@pytest.mark.parametrize("size", [2, 6])
def test_a_chunk_s_sent_rows_are_marked_with_one_update_whatever_its_size(event, size):
    ids = owed_confirmations(event, size)
    with CaptureQueriesContext(connection) as queries:
        assert emails_send(email_ids=ids)["sent"] == size
    assert len(outbox_writes(queries.captured_queries)) == 2  # the claim, then the marks
    assert set(Email.objects.values_list("state", flat=True)) == {Email.State.SENT}
    assert Email.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == size


def test_rows_a_killed_worker_had_sent_are_marked_sent_by_the_sweeper_and_not_sent_again(event, mail_server):
    ids = owed_confirmations(event, 4)

    def kill():
        raise WorkerKilled

    mail_server.on_send = (2, kill)  # two messages accepted, then the worker dies
    with pytest.raises(WorkerKilled):
        emails_send(email_ids=ids)
    assert set(Email.objects.values_list("state", flat=True)) == {Email.State.SENDING}

    mail_server.on_send = None
    with time_machine.travel(timezone.now() + services.LEASE + timedelta(seconds=1)):
        # The two it had sent are marked sent; the two it had not are released and handed out.
        assert outbox_sweep() == {"released": 2, "queued": 2}
    assert sorted(message.to[0] for message in mail.outbox) == [f"person.{n}@camden.gov.uk" for n in range(4)]
    assert set(Email.objects.values_list("state", flat=True)) == {Email.State.SENT}


def test_without_the_journal_each_row_is_marked_sent_as_soon_as_it_is_accepted(event, mail_server, settings):
    settings.OUTBOX_SENT_JOURNAL = False
    ids = owed_confirmations(event, 3)

    def kill():
        raise WorkerKilled

    mail_server.on_send = (2, kill)
    with pytest.raises(WorkerKilled):
        emails_send(email_ids=ids)
    assert list(Email.objects.order_by("id").values_list("state", flat=True)) == [
        Email.State.SENT,
        Email.State.SENT,
        Email.State.SENDING,
    ]


def test_a_row_another_worker_claimed_since_is_not_marked_by_the_old_one(event, mail_server):
    ids = owed_confirmations(event, 3)
    other_worker = uuid.uuid4()

    def stall_past_the_lease():
        # The first row was sent but not yet marked when its lease ran out; another worker has it.
        Email.objects.filter(pk=ids[0]).update(claim_token=other_worker)

    mail_server.on_send = (2, stall_past_the_lease)
    assert emails_send(email_ids=ids)["sent"] == 3
    first = Email.objects.get(pk=ids[0])
    assert first.state == Email.State.SENDING and first.claim_token == other_worker
    assert Email.objects.filter(state=Email.State.SENT).count() == 2
