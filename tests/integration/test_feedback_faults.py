"""The feedback request after a session is one email per attendee whatever fails: against the
real PostgreSQL, Redis and an SMTP server that the tests stop and start (as test_faults.py)."""

import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Max

from events.models import Registration
from followup.services import FEEDBACK_REQUEST
from followup.tasks import feedback_requests_send
from loti_portal.utils import LONDON
from outbox.models import Email
from outbox.services import emails_send, outbox_sweep
from tests.factories import EventFactory, RegistrationFactory, UserFactory

from .conftest import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 6, 16, 10, 0, tzinfo=LONDON)
NEXT_DAY = datetime(2026, 6, 17, 9, 30, tzinfo=LONDON)


@pytest.fixture
def smtp_backend(settings):
    def use(sink):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5

    return use


def held_session(attendees: int = 4):
    with time_machine.travel(START - timedelta(days=3), tick=False):
        event = EventFactory(
            title="Supplier demo: open data",
            slug="open-data-demo",
            start=START,
            end=START + timedelta(hours=1),
        )
        for n in range(attendees):
            RegistrationFactory(
                event=event,
                user=UserFactory(email=f"came{n}@camden.gov.uk"),
                status=Registration.Status.ATTENDED,
            )
        RegistrationFactory(event=event, user=UserFactory(email="away@camden.gov.uk"), status="no_show")
    return event


def feedback_ids():
    return list(Email.objects.filter(kind=FEEDBACK_REQUEST).order_by("id").values_list("id", flat=True))


def test_with_the_mail_server_down_then_up_each_attendee_gets_exactly_one(
    real_services, smtp_backend, purge_broker
):
    held_session()
    sink = SmtpSink()
    smtp_backend(sink)  # not started: the mail server is down
    with time_machine.travel(NEXT_DAY, tick=False):
        assert feedback_requests_send() == 4
        assert emails_send(email_ids=feedback_ids())["retry"] == 4
        assert feedback_requests_send() == 0  # the next run while it is down writes no second one
    due = Email.objects.aggregate(latest=Max("available_at"))["latest"]
    sink.start()
    try:
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            assert feedback_requests_send() == 0
            assert emails_send(email_ids=feedback_ids())["sent"] == 4
            assert emails_send(email_ids=feedback_ids())["sent"] == 0
        assert sink.wait_for(4, timeout=10)
        assert not sink.wait_for(5, timeout=1)
    finally:
        sink.stop()
    assert Counter(message["To"] for message in sink.messages) == {
        f"came{n}@camden.gov.uk": 1 for n in range(4)
    }


def test_the_job_run_twice_at_once_writes_one_request_per_attendee(real_services, purge_broker):
    assert connection.vendor == "postgresql"
    held_session(attendees=30)
    results, errors = [], []

    def run():
        try:
            with time_machine.travel(NEXT_DAY, tick=False):
                results.append(feedback_requests_send())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(results) == 30
    assert Email.objects.filter(kind=FEEDBACK_REQUEST).count() == 30
    assert Email.objects.filter(kind=FEEDBACK_REQUEST).values("to").distinct().count() == 30


def test_with_the_broker_down_the_requests_are_written_and_go_out_once_it_is_back(own_redis, smtp_backend):
    held_session(attendees=3)
    sink = SmtpSink().start()
    try:
        smtp_backend(sink)
        own_redis.stop()
        with time_machine.travel(NEXT_DAY, tick=False):
            assert feedback_requests_send() == 3  # no error: the rows wait for the sweeper
        assert set(Email.objects.values_list("state", flat=True)) == {Email.State.PENDING}
        own_redis.start()
        with time_machine.travel(NEXT_DAY + timedelta(minutes=5), tick=False):
            outbox_sweep()
            # This test runs no worker: send what the sweeper handed out, as a worker would.
            assert emails_send(email_ids=feedback_ids())["sent"] == 3
            assert feedback_requests_send() == 0
        assert sink.wait_for(3, timeout=10)
        assert sorted(message["To"] for message in sink.messages) == [
            f"came{n}@camden.gov.uk" for n in range(3)
        ]
    finally:
        sink.stop()
