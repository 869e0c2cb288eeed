"""Reminders: which are due, who gets them, that each goes once, and what the email carries."""

import smtplib
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from events.models import Event, Registration
from events.reminders import (
    reminder_offset_due,
    reminders_enqueue_due,
    reminders_run_due,
    unsubscribe_token,
)
from loti_portal.utils import absolute_url
from networks.cadence import LONDON
from networks.models import Membership
from outbox.models import Email
from outbox.services import LEASE, emails_send, outbox_release_expired
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, RegistrationFactory, UserFactory

from .conftest import calendar_attachment, only_event


class ReminderDelivery:
    """The reminders in the outbox."""

    objects = Email.objects.filter(kind="events.reminder").order_by("id")


def reminders_send_chunk(*, delivery_ids):
    return emails_send(email_ids=delivery_ids)


def reminders_requeue_stale():
    return outbox_release_expired()


NOTHING = {"sent": 0, "skipped": 0, "failed": 0, "retry": 0}

START = datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)


@pytest.fixture
def leaders(db):
    return NetworkFactory(name="Data Leaders", slug="data-leaders")


@pytest.fixture
def meeting(leaders):
    return EventFactory(
        title="Data Leaders meeting",
        slug="data-leaders-2026-03-10",
        kind=Event.Kind.NETWORK_MEETING,
        network=leaders,
        audience=Event.Audience.NETWORK_MEMBERS,
        start=START,
        end=START + timedelta(minutes=90),
        venue="",
        online_url="https://meet.loti.example/leaders",
    )


@pytest.fixture
def members(leaders):
    people = [
        MembershipFactory(network=leaders, user=UserFactory(email=f"leader{n}@camden.gov.uk")).user
        for n in range(3)
    ]
    # Not recipients: a pending applicant, someone who left, and someone who turned reminders off.
    MembershipFactory(network=leaders, status=Membership.Status.PENDING)
    MembershipFactory(network=leaders, status=Membership.Status.LEFT)
    MembershipFactory(network=leaders, reminders_enabled=False)
    return people


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (START - timedelta(days=7, seconds=1), None),
        (START - timedelta(days=7), 168),
        (START - timedelta(days=1, seconds=1), 168),
        (START - timedelta(days=1), 24),
        (START - timedelta(seconds=1), 24),
        (START, None),
    ],
)
def test_reminder_is_due_from_its_offset_until_the_start(meeting, moment, due):
    assert reminder_offset_due(event=meeting, now=moment) == due


def test_network_meeting_reminds_active_members_who_have_not_opted_out(meeting, members):
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        assert reminders_enqueue_due() == 3
    assert set(ReminderDelivery.objects.values_list("user__email", flat=True)) == {m.email for m in members}
    assert set(ReminderDelivery.objects.values_list("to", flat=True)) == {m.email for m in members}
    assert set(ReminderDelivery.objects.values_list("data__offset_hours", flat=True)) == {24}


def test_other_sessions_remind_confirmed_registrants_only(db):
    session = EventFactory(start=START, end=START + timedelta(hours=2))
    confirmed = RegistrationFactory(event=session, status=Registration.Status.CONFIRMED)
    RegistrationFactory(event=session, status=Registration.Status.WAITLISTED, waitlist_position=1)
    RegistrationFactory(event=session, status=Registration.Status.CANCELLED)
    with time_machine.travel(START - timedelta(days=6), tick=False):
        assert reminders_enqueue_due() == 1
    assert ReminderDelivery.objects.get().user == confirmed.user


def test_a_registrant_is_reminded_with_their_own_joining_address(db):
    from events.joining import join_address

    session = EventFactory(start=START, end=START + timedelta(hours=2))
    confirmed = RegistrationFactory(event=session)
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_run_due()
    (message,) = mail.outbox
    assert join_address(confirmed) in message.body
    assert session.online_url not in message.body


def test_drafts_cancelled_and_past_events_get_no_reminders(leaders, members):
    for status in (Event.Status.DRAFT, Event.Status.CANCELLED):
        EventFactory(network=leaders, kind=Event.Kind.NETWORK_MEETING, status=status, start=START)
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        EventFactory(network=leaders, kind=Event.Kind.NETWORK_MEETING, start=START)
        assert reminders_enqueue_due() == 0


def test_running_the_job_twice_sends_each_reminder_once(meeting, members, django_capture_on_commit_callbacks):
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        first = reminders_run_due()
        second = reminders_run_due()
    assert first["written"] == 3 and first["queued"] == 3
    assert second == {"written": 0, "released": 0, "queued": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    assert set(ReminderDelivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_chunk_sent_twice_sends_once(meeting, members):
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_enqueue_due()
        ids = list(ReminderDelivery.objects.values_list("id", flat=True))
        assert reminders_send_chunk(delivery_ids=ids)["sent"] == 3
        assert reminders_send_chunk(delivery_ids=ids) == NOTHING
    assert len(mail.outbox) == 3


def test_week_and_day_reminders_are_separate_and_not_sent_together(meeting, members):
    with time_machine.travel(START - timedelta(days=6), tick=False):
        reminders_run_due()
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        reminders_run_due()
    assert ReminderDelivery.objects.filter(data__offset_hours=168, state="sent").count() == 3
    assert ReminderDelivery.objects.filter(data__offset_hours=24, state="sent").count() == 3
    assert len(mail.outbox) == 6
    # An event first seen inside the last day gets only the day-ahead reminder.
    late = EventFactory(
        network=meeting.network, kind=Event.Kind.NETWORK_MEETING, start=START + timedelta(days=30)
    )
    with time_machine.travel(late.start - timedelta(hours=2), tick=False):
        reminders_run_due()
    assert set(
        ReminderDelivery.objects.filter(about_id=late.pk).values_list("data__offset_hours", flat=True)
    ) == {24}


def test_someone_who_leaves_before_sending_is_skipped(meeting, members):
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_enqueue_due()
        Membership.objects.filter(user=members[0]).update(status=Membership.Status.LEFT)
        ids = list(ReminderDelivery.objects.values_list("id", flat=True))
        assert reminders_send_chunk(delivery_ids=ids) == {**NOTHING, "sent": 2, "skipped": 1}


def test_the_reminder_email(meeting, members):
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_run_due()
    message = next(m for m in mail.outbox if m.to == [members[0].email])
    assert message.subject == "Reminder: Data Leaders meeting, Tuesday 10 March at 10:00"
    assert "Tuesday 10 March 2026, 10:00 to 11:30 (London time)" in message.body
    # Not registered: the way to register, never the meeting link itself.
    assert "https://meet.loti.example/leaders" not in message.body
    assert reverse("events:event-register", args=[meeting.slug]) in message.body
    assert reverse("events:event-detail", args=[meeting.slug]) in message.body
    html = message.alternatives[0][0]
    assert "Data Leaders meeting" in html and "Stop reminders for Data Leaders meetings" in html

    calendar, mimetype = calendar_attachment(message)
    assert mimetype.startswith("text/calendar")
    assert calendar["METHOD"] == "REQUEST"
    vevent = only_event(calendar)
    assert vevent.decoded("DTSTART") == START
    assert vevent["UID"]
    assert str(vevent["ATTENDEE"]) == f"mailto:{members[0].email}"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    others = [m for m in mail.outbox if m.to != [members[0].email]]
    assert {str(only_event(calendar_attachment(m)[0])["ATTENDEE"]) for m in others} == {
        f"mailto:{person.email}" for person in members[1:]
    }

    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/events/notifications/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_transient_smtp_failure_puts_rows_back_for_a_retry(meeting, members, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    calls = {"count": 0}
    original = EmailBackend.send_messages

    def flaky(self, messages):
        calls["count"] += 1
        if calls["count"] == 2:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_enqueue_due()
        ids = list(ReminderDelivery.objects.order_by("id").values_list("id", flat=True))
        assert reminders_send_chunk(delivery_ids=ids) == {**NOTHING, "sent": 1, "retry": 2}
        statuses = list(ReminderDelivery.objects.order_by("id").values_list("state", flat=True))
        assert statuses == ["sent", "pending", "pending"]
        assert reminders_send_chunk(delivery_ids=ids)["sent"] == 0  # not before the backoff
    with time_machine.travel(START - timedelta(hours=20) + timedelta(minutes=1), tick=False):
        assert reminders_send_chunk(delivery_ids=ids)["sent"] == 2
    assert len(mail.outbox) == 3


def test_refused_address_is_marked_failed_and_the_rest_go(meeting, members, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_first(self, messages):
        if messages[0].to == [members[0].email]:
            raise smtplib.SMTPRecipientsRefused({members[0].email: (550, b"No such mailbox")})
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_first)
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_enqueue_due()
        ids = list(ReminderDelivery.objects.values_list("id", flat=True))
        assert reminders_send_chunk(delivery_ids=ids) == {**NOTHING, "sent": 2, "failed": 1}
    failed = ReminderDelivery.objects.get(state="failed")
    assert failed.user == members[0] and "No such mailbox" in failed.last_error


def _sending_with(monkeypatch, during_send):
    """Call `during_send()` as each message goes to the mail server."""
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def send_messages(self, messages):
        during_send()
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def test_a_slow_chunk_keeps_its_claim(meeting, members, monkeypatch):
    released = []
    with time_machine.travel(START - timedelta(hours=20), tick=False) as traveller:

        def thirty_seconds_each():
            traveller.shift(timedelta(seconds=30))
            released.append(reminders_requeue_stale())

        reminders_enqueue_due()
        ids = list(ReminderDelivery.objects.values_list("id", flat=True))
        _sending_with(monkeypatch, thirty_seconds_each)
        assert reminders_send_chunk(delivery_ids=ids) == {**NOTHING, "sent": 3}
    # Ninety seconds in all, twice the lease, but the claim was renewed as it went.
    assert released == [0, 0, 0]
    assert len(mail.outbox) == 3


def test_rows_released_from_a_stalled_chunk_are_left_to_the_next_worker(meeting, members, monkeypatch):
    released = []
    with time_machine.travel(START - timedelta(hours=20), tick=False) as traveller:

        def stall_once():
            if not released:
                traveller.shift(LEASE + timedelta(seconds=5))
                released.append(reminders_requeue_stale())

        reminders_enqueue_due()
        ids = list(ReminderDelivery.objects.order_by("id").values_list("id", flat=True))
        _sending_with(monkeypatch, stall_once)
        assert reminders_send_chunk(delivery_ids=ids) == {**NOTHING, "sent": 1, "skipped": 2}
        # The sweeper released all three, the one in flight too: that one may go out twice.
        assert released == [3]
        assert (
            list(ReminderDelivery.objects.order_by("id").values_list("state", flat=True)) == ["pending"] * 3
        )
        assert reminders_send_chunk(delivery_ids=ids)["sent"] == 3
    assert len(mail.outbox) == 4


def test_rows_left_by_a_worker_that_died_are_released_when_its_lease_ends(meeting, members):
    claimed_at = START - timedelta(hours=20)
    with time_machine.travel(claimed_at, tick=False):
        reminders_enqueue_due()
        ReminderDelivery.objects.update(state="sending", lease_until=claimed_at + LEASE)
    with time_machine.travel(claimed_at + LEASE - timedelta(seconds=1), tick=False):
        assert reminders_requeue_stale() == 0
    with time_machine.travel(claimed_at + LEASE + timedelta(seconds=1), tick=False):
        assert reminders_requeue_stale() == 3
        reminders_run_due()
    assert ReminderDelivery.objects.filter(state="sent").count() == 3


def test_send_due_reminders_command(meeting, members):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        call_command("send_due_reminders", stdout=out)
    assert "3 written" in out.getvalue()
    assert len(mail.outbox) == 3


# --- unsubscribe and notification settings ---------------------------------------------------


def test_one_click_unsubscribe_turns_off_that_networks_reminders(client, meeting, members):
    person = members[0]
    url = reverse(
        "events:reminders-unsubscribe",
        args=[unsubscribe_token(user_id=person.id, network_id=meeting.network_id)],
    )
    page = client.get(url)
    assert page.status_code == 200 and "Stop reminders for Data Leaders meetings?" in page.content.decode()
    assert Membership.objects.get(user=person).reminders_enabled  # a GET changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Membership.objects.get(user=person).reminders_enabled
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        assert reminders_enqueue_due() == 2


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJuIjoxfQ:forged:signature"])
def test_a_broken_unsubscribe_link_says_so_and_changes_nothing(client, members, token):
    response = client.post(reverse("events:reminders-unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert Membership.objects.filter(reminders_enabled=False).count() == 1


def test_unsubscribe_wrong_method(client, meeting, members):
    url = reverse(
        "events:reminders-unsubscribe",
        args=[unsubscribe_token(user_id=members[0].id, network_id=meeting.network_id)],
    )
    assert client.put(url).status_code == 405


def test_notification_settings_turn_reminders_on_and_off_per_network(client, leaders, members):
    person = members[0]
    scientists = NetworkFactory(name="Data Scientists", slug="data-scientists")
    MembershipFactory(network=scientists, user=person)
    client.force_login(person)
    url = reverse("events:notification-settings")
    page = client.get(url).content.decode()
    assert "Data Leaders" in page and "Data Scientists" in page
    response = client.post(url, {"networks": [str(scientists.id)]})
    assert response.status_code == 302
    assert dict(Membership.objects.filter(user=person).values_list("network__slug", "reminders_enabled")) == {
        "data-leaders": False,
        "data-scientists": True,
    }


def test_notification_settings_refuse_a_network_you_are_not_in(client, leaders, members):
    other = NetworkFactory(name="Women's Digital Leaders", slug="womens-digital-leaders")
    client.force_login(members[0])
    response = client.post(reverse("events:notification-settings"), {"networks": [str(other.id)]})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert Membership.objects.get(user=members[0]).reminders_enabled  # unchanged


def test_notification_settings_need_sign_in_and_refuse_other_methods(client, members):
    url = reverse("events:notification-settings")
    assert client.get(url).status_code == 302
    client.force_login(members[0])
    assert client.delete(url).status_code == 405


def test_staff_can_send_due_reminders_now_from_admin(
    client, staff, meeting, members, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with (
        time_machine.travel(START - timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("admin:events_event_changelist"),
            {"action": "send_due_reminders_now", "_selected_action": [meeting.pk]},
        )
    with time_machine.travel(START - timedelta(days=2), tick=False):
        listing = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert response.status_code == 302
    assert ReminderDelivery.objects.filter(about_id=meeting.pk, state="sent").count() == 3
    assert "3 / 0 / 0" in listing


def test_a_network_whose_reminders_are_emptied_gets_none(leaders, meeting, members, staff):
    from events.reminders import reminders_send_due_now_for_event, reminders_to_come

    leaders.reminder_offsets_hours = []
    leaders.save()
    meeting.refresh_from_db()
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        assert reminders_enqueue_due() == 0
        assert reminders_send_due_now_for_event(event=meeting, acting_user=staff) == 0
        assert reminders_to_come(event=meeting) == []
    assert not ReminderDelivery.objects.exists()


def test_the_default_reminders_live_in_one_setting(db, settings):
    from networks.models import Network

    settings.REMINDER_OFFSETS_HOURS = [48, 2]
    assert Network().reminder_offsets_hours == [48, 2]
    session = EventFactory(start=START, end=START + timedelta(hours=2))
    RegistrationFactory(event=session)
    with time_machine.travel(START - timedelta(hours=30), tick=False):
        assert reminder_offset_due(event=session, now=START - timedelta(hours=30)) == 48


def test_a_member_not_registered_for_a_meeting_is_reminded_with_the_register_link_not_the_meeting_link(
    meeting, members
):
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_run_due()
    register = absolute_url(reverse("events:event-register", args=[meeting.slug]))
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert meeting.online_url not in message.body and meeting.online_url not in html
        assert f"Register to get your joining link: {register}" in message.body
        assert f'href="{register}"' in html


def test_a_member_registered_for_a_meeting_is_reminded_with_their_own_joining_address(meeting, members):
    from events.joining import join_address

    registration = RegistrationFactory(event=meeting, user=members[0])
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        reminders_run_due()
    (message,) = [message for message in mail.outbox if message.to == [members[0].email]]
    assert f"Join online: {join_address(registration)}" in message.body
    assert meeting.online_url not in message.body
    assert reverse("events:event-register", args=[meeting.slug]) not in message.body
