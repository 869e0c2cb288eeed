"""Faults never lose an email and never break a page: against real Redis, a real SMTP server,
real Celery workers and beat, and the real PostgreSQL, which the tests stop and start.

- the broker (Redis) down: pages and forms answer as usual, and what is owed goes out once it is
  back;
- the mail server down: emails are tried again with a growing backoff and none is lost; one it
  refuses for good is marked failed, shown to staff, and goes when staff send it again;
- a worker killed mid fan-out: its rows go out again once its lease runs out, on beat's own
  clock, with at most one duplicate (the message in flight).
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from events.services import registration_create
from outbox.models import Email
from outbox.services import emails_send, outbox_sweep
from tests.factories import EventFactory, UserFactory

from .conftest import (
    OUTBOX_LEASE,
    OUTBOX_REQUEUE,
    OUTBOX_SWEEP,
    BeatProcess,
    SmtpSink,
    WorkerProcess,
    worker_env,
    worker_env_for,
)
from .test_reminder_fanout import meeting_with_members, recipients

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(condition, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


# --- the broker ------------------------------------------------------------------------------


def test_with_the_broker_down_pages_answer_and_the_confirmation_goes_once_it_is_back(
    own_redis, smtp_sink, client, org
):
    member = UserFactory(email="amara@camden.gov.uk", full_name="Amara Member", organisation=org)
    event = EventFactory(title="Digital inclusion findings", slug="digital-inclusion-findings")
    worker = WorkerProcess(worker_env_for(smtp_sink, own_redis)).start()
    try:
        client.force_login(member)
        own_redis.stop()

        for name, args in [
            ("events:event-list", []),
            ("events:event-detail", [event.slug]),
            ("events:event-register", [event.slug]),
            ("events:my-events", []),
            ("networks:network-list", []),
        ]:
            assert client.get(reverse(name, args=args)).status_code == 200, name
        started = time.monotonic()
        response = client.post(reverse("events:event-register", args=[event.slug]), {}, follow=True)
        seconds = time.monotonic() - started
        assert response.status_code == 200
        assert "You have a place" in response.content.decode()
        print(f"\nregistering with the broker down took {seconds:.2f} s")
        assert seconds < 5, f"registering took {seconds:.1f} s with the broker down"

        email = Email.objects.get(user=member)
        assert email.kind == "events.confirmed" and email.state == Email.State.PENDING
        assert not smtp_sink.wait_for(1, timeout=2)

        own_redis.start()  # back, empty: nothing was queued while it was down
        # Beat's sweeper hands the owed email to the worker once it has reconnected.
        assert wait_until(lambda: outbox_sweep()["queued"] or smtp_sink.count(), timeout=60, every=1)
        assert smtp_sink.wait_for(1, timeout=60), "the confirmation never arrived"
        smtp_sink.wait_for(2, timeout=3)
        assert [message["To"] for message in smtp_sink.messages] == [member.email]
        assert smtp_sink.messages[0]["Subject"] == f"Your place at {event.title} is confirmed"
        email.refresh_from_db()
        assert email.state == Email.State.SENT
    finally:
        worker.stop()


# --- the mail server -------------------------------------------------------------------------


@pytest.fixture
def smtp_backend(settings):
    def use(sink):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5

    return use


def register_people(count: int, *, refused: str | None = None):
    event = EventFactory(title="Data ethics training", slug="data-ethics-training")
    addresses = [f"person{n}@camden.gov.uk" for n in range(count)]
    if refused:
        addresses[-1] = refused
    with transaction.atomic():
        for address in addresses:
            person = UserFactory(email=address)
            registration_create(event=event, user=person, answers={}, acting_user=person)
    return list(Email.objects.order_by("id").values_list("id", flat=True))


def all_due():
    """When every row is due again (each has its own jitter)."""
    return Email.objects.aggregate(latest=Max("available_at"))["latest"]


def test_the_mail_server_down_is_retried_with_backoff_and_nothing_is_lost(
    real_services, smtp_backend, purge_broker
):
    sink = SmtpSink()
    smtp_backend(sink)  # not started yet: the mail server is down
    ids = register_people(5)

    assert emails_send(email_ids=ids) == {"sent": 0, "skipped": 0, "failed": 0, "retry": 5}
    first = Email.objects.get(pk=ids[0])
    assert first.state == Email.State.PENDING and first.attempts == 1
    assert "refused" in first.last_error.lower()
    first_wait = first.available_at - first.created_at

    with time_machine.travel(all_due() + timedelta(seconds=1)):
        assert emails_send(email_ids=ids)["retry"] == 5  # still down
    second = Email.objects.get(pk=ids[0])
    assert second.attempts == 2
    # The second wait is about twice the first (each has up to a fifth of jitter off).
    assert second.available_at - first.available_at > first_wait * 1.5

    sink.start()
    try:
        with time_machine.travel(all_due() + timedelta(seconds=1)):
            assert emails_send(email_ids=ids)["sent"] == 5
            assert emails_send(email_ids=ids)["sent"] == 0
        assert sink.wait_for(5, timeout=10)
        assert sorted(recipients(sink).values()) == [1] * 5
    finally:
        sink.stop()
    assert set(Email.objects.values_list("state", flat=True)) == {Email.State.SENT}


def test_a_refused_address_is_failed_shown_to_staff_and_sent_again_on_request(
    real_services, smtp_backend, purge_broker, client, django_user_model
):
    sink = SmtpSink(refuse={"gone@camden.gov.uk"}).start()
    try:
        smtp_backend(sink)
        ids = register_people(3, refused="gone@camden.gov.uk")
        assert emails_send(email_ids=ids) == {"sent": 2, "skipped": 0, "failed": 1, "retry": 0}
        failed = Email.objects.get(state=Email.State.FAILED)
        assert failed.to == "gone@camden.gov.uk"
        assert "550" in failed.last_error and "No such mailbox" in failed.last_error

        staff = django_user_model.objects.create_user(
            email="staff@loti.london", password="x", is_staff=True, is_superuser=True
        )
        client.force_login(staff)
        listing = client.get(reverse("admin:outbox_email_changelist"), {"state": "failed"}).content.decode()
        assert "gone@camden.gov.uk" in listing and "No such mailbox" in listing
        assert "person0@camden.gov.uk" not in listing

        sink.refuse.clear()  # the mailbox is back
        response = client.post(
            reverse("admin:outbox_email_changelist"),
            {"action": "send_again", "_selected_action": [failed.pk]},
        )
        assert response.status_code == 302
        failed.refresh_from_db()
        assert failed.state == Email.State.PENDING
        assert emails_send(email_ids=[failed.pk])["sent"] == 1
        assert sink.wait_for(3, timeout=10)
        assert sorted(recipients(sink)) == sorted(
            ["gone@camden.gov.uk", "person0@camden.gov.uk", "person1@camden.gov.uk"]
        )
    finally:
        sink.stop()


# --- a killed worker -------------------------------------------------------------------------


def test_a_killed_worker_s_rows_go_out_again_once_its_lease_runs_out(
    real_services, slow_smtp_sink, purge_broker, tmp_path
):
    count = 300
    meeting_with_members(count)
    env = worker_env(slow_smtp_sink)
    worker = WorkerProcess(env, concurrency=1).start()
    beat = BeatProcess(env, tmp_path).start()  # sweeps on its own clock, as in production
    try:
        from events.reminders import reminders_run_due

        reminders_run_due()
        # Half way: in the middle of a chunk (outbox CHUNK_SIZE), so the kill interrupts one.
        assert slow_smtp_sink.wait_for(count // 2, timeout=90)
        assert worker.kill() == 2  # the worker and its one pool process, mid-chunk
        killed_at = time.monotonic()
        delivered_before_kill = slow_smtp_sink.count()
        assert delivered_before_kill < count
        worker = WorkerProcess(env, concurrency=1).start()  # its supervisor starts it again

        reminders = Email.objects.filter(kind="events.reminder")
        assert wait_until(
            lambda: not reminders.exclude(state=Email.State.SENT).exists(), timeout=150, every=1
        ), f"{reminders.exclude(state=Email.State.SENT).count()} reminders still not sent"
        recovered_in = time.monotonic() - killed_at
        print(
            f"\nkilled after {delivered_before_kill} of {count}; "
            f"every reminder sent {recovered_in:.0f} s after the kill"
        )
        # The lease runs out (or the chunks the worker had taken are overdue), the next sweep
        # hands the rows out, and the new worker sends what is left: under two minutes with
        # production's clocks (45, 60 and 30 s), well under one with the tests' short ones.
        within = max(OUTBOX_LEASE, OUTBOX_REQUEUE) + OUTBOX_SWEEP + 30
        assert recovered_in < within, f"took {recovered_in:.0f} s after the kill, more than {within} s"
        slow_smtp_sink.wait_for(count + 2, timeout=3)
        got = Counter(message["To"] for message in slow_smtp_sink.messages)
        assert len(got) == count
        duplicates = sum(times - 1 for times in got.values())
        assert duplicates <= 1, f"{duplicates} duplicates after killing the one process sending"
    finally:
        beat.stop()
        worker.stop()


# --- the database ----------------------------------------------------------------------------


class DatabaseOutage:
    """PostgreSQL going away as in a restart: every other connection to the test database is cut
    and new ones are refused until `end()`. (The server itself belongs to `.ci/run`, which stops
    it by its pid, so the test cuts connections rather than restarting the postmaster.)"""

    def __init__(self):
        import psycopg
        from django.db import connection

        db = connection.settings_dict
        self.name = db["NAME"]
        # From another database: PostgreSQL will not shut the current one to its own session.
        self.connection = psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"],
            dbname="postgres",
            autocommit=True,
        )

    def begin(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
            # The portal's own connections: not the server's (an autovacuum worker may be busy
            # with the database; it belongs to the server and only a superuser may stop it).
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND backend_type = 'client backend' AND usename = current_user",
                [self.name],
            )
            return cursor.fetchone()[0]

    def end(self) -> None:
        if not self.connection.closed:
            with self.connection.cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')
            self.connection.close()


def test_the_database_going_away_mid_fan_out_loses_no_reminder(
    real_services, slow_smtp_sink, purge_broker, tmp_path
):
    from django.db import connection as test_connection

    from events.reminders import reminders_run_due

    count = 300
    meeting_with_members(count)
    env = worker_env(slow_smtp_sink)
    worker = WorkerProcess(env, concurrency=2).start()
    beat = BeatProcess(env, tmp_path).start()
    outage = DatabaseOutage()
    try:
        reminders_run_due()
        test_connection.close()  # the test's own connection is cut with the others
        assert slow_smtp_sink.wait_for(count // 3, timeout=90)
        cut = outage.begin()
        assert cut >= 2, "the workers' connections were cut"
        time.sleep(5)  # down for a while, as during a restart
        outage.end()

        reminders = Email.objects.filter(kind="events.reminder")
        assert wait_until(
            lambda: not reminders.exclude(state=Email.State.SENT).exists(), timeout=150, every=1
        ), f"{reminders.exclude(state=Email.State.SENT).count()} reminders still not sent"
        slow_smtp_sink.wait_for(count + 3, timeout=3)
        got = Counter(message["To"] for message in slow_smtp_sink.messages)
        assert len(got) == count, "every member got a reminder"
        duplicates = sum(times - 1 for times in got.values())
        # At most the message each of the two pool processes had in flight.
        assert duplicates <= 2, f"{duplicates} duplicates"
    finally:
        outage.end()
        beat.stop()
        worker.stop()
