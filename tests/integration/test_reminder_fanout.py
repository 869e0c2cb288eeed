"""Reminders through a real Celery worker on Redis to an SMTP sink on loopback.

N members get exactly N reminders, each with a valid .ics; a worker killed with SIGKILL in the
middle of the fan-out and started again still delivers every reminder, with at most one
duplicate: the message its one sending process had in flight. (tests/integration/test_faults.py
has the same with the sweeper on beat's own clock.)
"""

from collections import Counter
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.reminders import reminders_of, reminders_run_due
from networks.models import Membership, Network
from outbox.models import Email
from outbox.services import LEASE, REQUEUE_AFTER, outbox_dispatch, outbox_release_expired

pytestmark = pytest.mark.django_db(transaction=True)


def meeting_with_members(count: int) -> Event:
    network = Network.objects.create(name="Data Leaders", slug="data-leaders", summary="Leaders")
    now = timezone.now()
    people = User.objects.bulk_create(
        User(email=f"leader{n}@camden.gov.uk", full_name=f"Leader {n}") for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=person, network=network, status=Membership.Status.ACTIVE, joined_at=now)
        for person in people
    )
    start = now + timedelta(hours=20)
    return Event.objects.create(
        title="Data Leaders meeting",
        slug="data-leaders-meeting",
        kind=Event.Kind.NETWORK_MEETING,
        network=network,
        audience=Event.Audience.NETWORK_MEMBERS,
        status=Event.Status.PUBLISHED,
        start=start,
        end=start + timedelta(minutes=90),
        online_url="https://meet.loti.example/leaders",
    )


def recipients(sink) -> Counter:
    return Counter(message["To"] for message in sink.messages)


def calendar_of(message) -> icalendar.Calendar:
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


def test_every_member_gets_exactly_one_reminder_with_a_valid_calendar_file(
    celery_worker_process, smtp_sink, purge_broker
):
    count = 120
    meeting = meeting_with_members(count)
    celery_worker_process.start()

    outcome = reminders_run_due()
    assert outcome["written"] == count

    assert smtp_sink.wait_for(count, timeout=90), f"only {smtp_sink.count()} of {count} arrived"
    # The job running again (a second beat, a retry) sends nothing more.
    assert reminders_run_due() == {"written": 0, "released": 0, "queued": 0}
    smtp_sink.wait_for(count + 1, timeout=3)

    got = recipients(smtp_sink)
    assert len(got) == count and set(got.values()) == {1}
    for message in smtp_sink.messages:
        vevent = calendar_of(message).walk("VEVENT")[0]
        assert vevent.decoded("DTSTART") == meeting.start.replace(microsecond=0)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminders_of(meeting).filter(state=Email.State.SENT).count() == count


def test_a_worker_killed_mid_fan_out_delivers_everything_after_restart(
    single_process_worker, slow_smtp_sink, purge_broker
):
    count = 300
    meeting = meeting_with_members(count)
    single_process_worker.start()
    reminders_run_due()

    # Half way: in the middle of a chunk (outbox CHUNK_SIZE), so the kill interrupts one.
    assert slow_smtp_sink.wait_for(count // 2, timeout=90)
    killed = single_process_worker.kill()  # the worker and its one pool process, mid-chunk
    assert killed == 2
    delivered_before_kill = slow_smtp_sink.count()
    assert 0 < delivered_before_kill < count

    # What the killed worker held: rows it claimed stay "sending" until their lease ends; chunks
    # it had taken from Redis are queued again once they are overdue. Both happen on the beat;
    # here the clock is moved on rather than waited for.
    later = timezone.now() + max(LEASE, REQUEUE_AFTER) + timedelta(seconds=1)
    released = outbox_release_expired(now=later)
    queued = outbox_dispatch(now=later)
    assert released > 0 and queued >= released
    single_process_worker.start()

    assert slow_smtp_sink.wait_for(count, timeout=120), f"only {slow_smtp_sink.count()} of {count} arrived"
    slow_smtp_sink.wait_for(count + 2, timeout=3)
    got = recipients(slow_smtp_sink)
    assert len(got) == count, "every member got a reminder"
    # At most the one message the pool process had in flight: sent, but not yet marked sent.
    duplicates = sum(times - 1 for times in got.values())
    assert duplicates <= 1, f"{duplicates} duplicates after killing the one process sending"
    assert reminders_of(meeting).filter(state=Email.State.SENT).count() == count


def test_reminders_survive_the_broker_losing_its_queue(celery_worker_process, smtp_sink, purge_broker):
    from loti_portal.celery import app

    count = 40
    meeting = meeting_with_members(count)
    reminders_run_due()  # written to the outbox and queued, but no worker is running
    app.control.purge()  # Redis restarts empty: the queued chunks are gone
    celery_worker_process.start()
    assert not smtp_sink.wait_for(1, timeout=3)
    assert reminders_of(meeting).filter(state=Email.State.PENDING).count() == count

    # The next runs of the job hand the rows out again once they are overdue.
    assert reminders_run_due()["queued"] == 0  # not overdue yet: nothing is queued twice
    assert outbox_dispatch(now=timezone.now() + REQUEUE_AFTER + timedelta(seconds=1)) == count
    assert smtp_sink.wait_for(count, timeout=60)
    smtp_sink.wait_for(count + 1, timeout=2)
    assert set(recipients(smtp_sink).values()) == {1} and len(recipients(smtp_sink)) == count
