"""Reminder fan-out: N reminders through the real Celery worker to an SMTP sink on loopback,
against the sink's raw rate measured in the same run.

The raw rate is Django's `send_messages` of N ready-made messages (plain text, HTML and an
.ics file, like a reminder) on one reused SMTP connection. The fan-out is one network meeting
starting within a day, in a network of N active members with reminders on (a network meeting's
reminders go to its members), `manage.py send_due_reminders`, and a real worker (prefork, two
processes, as deployed) sending to the sink; it is timed from the command until the sink holds N
messages. The worker's resident memory (with its pool) is read from /proc at a quarter, half and
all of the way.
"""

import time
from datetime import timedelta
from pathlib import Path

from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command, get_commands
from django.utils import timezone

from accounts.models import Organisation, User
from events.models import Event
from events.reminders import reminders_of
from networks.models import Membership, Network
from outbox.models import Email

from . import sending
from .dataset import insert_rows
from .smtp_sink import SinkProcess

COMMAND = "send_due_reminders"
# Inside the 1-day reminder's window (the nearer of the two due wins): one reminder per person.
# The dataset keeps every other event out of the next nine days, so nothing else is due.
REMINDER_LEAD = timedelta(hours=23)

_TEXT = (
    "Hello {name},\n\nThis is a reminder that you have a place at the Data Practitioners network "
    "meeting on Tuesday 10 March 2026, 10:00 to 11:30 (London time), at City Hall, Kamal Chunchie "
    "Way, London E16 1ZE.\n\nIf you can no longer come, please cancel so someone on the waiting "
    "list can have your place: {site}/events/data-practitioners-meeting/\n\nThe calendar file is "
    "attached.\n\nLOTI Network Portal\n"
)
_HTML = (
    '<!DOCTYPE html><html lang="en-GB"><body style="font-family: Arial, sans-serif">'
    "<p>Hello {name},</p><p>This is a reminder that you have a place at the <strong>Data "
    "Practitioners network meeting</strong> on Tuesday 10 March 2026, 10:00 to 11:30 (London time), "
    "at City Hall, Kamal Chunchie Way, London E16 1ZE.</p><p>If you can no longer come, please "
    '<a href="{site}/events/data-practitioners-meeting/">cancel</a> so someone on the waiting list '
    "can have your place.</p><p>The calendar file is attached.</p><p>LOTI Network Portal</p>"
    "</body></html>"
)
_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//LOTI//Network Portal//EN\r\nMETHOD:PUBLISH\r\n"
    "BEGIN:VEVENT\r\nUID:event-1@loti.example\r\nDTSTAMP:20260301T090000Z\r\n"
    "DTSTART;TZID=Europe/London:20260310T100000\r\nDTEND;TZID=Europe/London:20260310T113000\r\n"
    "SUMMARY:Data Practitioners network meeting\r\nLOCATION:City Hall\\, London\r\nSEQUENCE:0\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _reminder_like(number: int) -> EmailMultiAlternatives:
    name = f"Person {number}"
    site = "http://127.0.0.1"
    message = EmailMultiAlternatives(
        subject="Reminder: Data Practitioners network meeting, Tuesday 10 March",
        body=_TEXT.format(name=name, site=site),
        from_email="LOTI Network Portal <portal@loti.example>",
        to=[f"person.{number}@camden.gov.uk"],
    )
    message.attach_alternative(_HTML.format(name=name, site=site), "text/html")
    message.attach("invite.ics", _ICS, "text/calendar")
    return message


def sink_raw_rate(sink: SinkProcess, count: int) -> dict:
    """Messages per second the sink takes for `count` reminder-like messages on one connection."""
    return sending.sink_raw_rate(sink, [_reminder_like(number) for number in range(count)], timeout=60)


def _recipients(member_ids: list[int], count: int) -> list[int]:
    ids = list(member_ids[:count])
    if len(ids) < count:
        organisation = Organisation.objects.get(name="Camden")
        stamp = time.monotonic_ns()
        insert_rows(
            User,
            (
                {
                    "email": f"reminded.{stamp}.{number}@camden.gov.uk",
                    "full_name": f"Reminded {number}",
                    "organisation_id": organisation.id,
                    "password": "!",
                }
                for number in range(count - len(ids))
            ),
        )
        ids += list(User.objects.filter(email__startswith=f"reminded.{stamp}.").values_list("id", flat=True))
    return ids


def create_meeting_with_recipients(count: int, member_ids: list[int]) -> Event:
    """A network of `count` active members (reminders on) and its published meeting, whose
    1-day reminder is due."""
    stamp = time.monotonic_ns()
    network = Network.objects.create(
        name=f"Reminder fan-out {stamp}",
        slug=f"bench-fanout-{stamp}",
        summary="A network whose meeting's reminders are due.",
        meeting_frequency=Network.MeetingFrequency.MONTHLY,
        reminder_offsets_hours=[7 * 24, 24],
    )
    joined = timezone.now() - timedelta(days=30)
    insert_rows(
        Membership,
        (
            {
                "user_id": user_id,
                "network_id": network.id,
                "status": Membership.Status.ACTIVE,
                "role": Membership.Role.MEMBER,
                "reminders_enabled": True,
                "joined_at": joined,
                "decided_at": joined,
                "created_at": joined,
            }
            for user_id in _recipients(member_ids, count)
        ),
    )
    start = timezone.now() + REMINDER_LEAD
    return Event.objects.create(
        title=f"{network.name} meeting",
        slug=f"bench-fanout-meeting-{stamp}",
        summary="A meeting whose reminders are due.",
        kind=Event.Kind.NETWORK_MEETING,
        network=network,
        start=start,
        end=start + timedelta(minutes=90),
        audience=Event.Audience.NETWORK_MEMBERS,
        status=Event.Status.PUBLISHED,
        venue="City Hall, Kamal Chunchie Way, London E16 1ZE",
        online_url="https://meet.example.org/loti-fanout",
    )


def reminder_fanout(
    sink: SinkProcess,
    count: int,
    *,
    member_ids: list[int],
    worker_env: dict,
    log_path: Path,
    raw_rate: float | None = None,
) -> dict:
    """Send `count` reminders through the real worker; messages per second and worker memory.
    `raw_rate` is the sink's raw rate measured just before (sink_raw_rate), which bounds the wait."""
    if COMMAND not in get_commands():
        return {"available": False, "reason": f"the management command {COMMAND} does not exist yet"}

    meeting = create_meeting_with_recipients(count, member_ids)
    measured = sending.through_worker(
        sink,
        count,
        start=lambda: call_command(COMMAND),
        worker_env=worker_env,
        log_path=log_path,
        raw_rate=raw_rate,
    )
    measured.pop("started")
    return {
        "available": True,
        "reminders": count,
        "written": reminders_of(meeting).count(),
        "sent_rows": reminders_of(meeting).filter(state=Email.State.SENT).count(),
        "command_seconds": measured.pop("start_seconds"),
        **measured,
    }
