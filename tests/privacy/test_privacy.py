"""A person's own data: reading and downloading it, deleting the account, and answers deleted
after the retention period."""

import json
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, User
from events.models import CalendarFeed, Event, Invitation, Registration
from events.privacy import registration_answers_expire
from events.services import calendar_feed_regenerate, registration_create
from loti_portal.celery import app as celery_app
from networks.models import Membership, Network, NetworkInvitation
from networks.services import invitation_create, membership_apply
from outbox.models import Email
from privacy import tasks as privacy_tasks
from privacy.services import account_delete, personal_data_export
from tests.factories import (
    PASSWORD,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    QuestionFactory,
    RegistrationFactory,
    reminder_email,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def approval_network(db):
    return NetworkFactory(
        name="Data Leaders", join_policy=Network.JoinPolicy.APPROVAL, eligible_organisation_kinds=["borough"]
    )


@pytest.fixture
def past_event(db):
    start = timezone.now() - timedelta(days=30)
    return EventFactory(title="Data ethics workshop", start=start, end=start + timedelta(hours=2))


def _activity(person, *, approval_network, past_event, staff, size=1):
    """Give a person `size` of everything the export covers."""
    membership_apply(
        user=person,
        network=approval_network,
        answers={"job_title": "Head of Data", "organisation": "Camden", "reason": "To learn from peers."},
    )
    for number in range(size):
        network = NetworkFactory(name=f"Open network {number}")
        MembershipFactory(user=person, network=network)
        event = EventFactory(title=f"Future session {number}")
        question = QuestionFactory(event=event, text="Your role", kind="short_text", options="")
        registration = registration_create(
            event=event, user=person, answers={str(question.pk): f"Commissioner {number}"}, acting_user=person
        )
        Email.objects.filter(user=person, data__registration_id=registration.pk).update(
            state=Email.State.SENT, sent_at=timezone.now()
        )
        reminder_email(event=event, user=person, offset_hours=24, state="sent", sent_at=timezone.now())
        reminder_email(event=event, user=person, offset_hours=168)  # pending: not "sent"
    RegistrationFactory(event=past_event, user=person, status=Registration.Status.ATTENDED)
    calendar_feed_regenerate(user=person)


# --- download my data -----------------------------------------------------------------------


def test_your_data_page_shows_profile_memberships_registrations_answers_and_reminders(
    client, member, approval_network, past_event, staff
):
    _activity(member, approval_network=approval_network, past_event=past_event, staff=staff)
    client.force_login(member)

    response = client.get(reverse("privacy:personal-data"))

    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Amara Member",
        "amara@camden.gov.uk",
        "Camden",
        "Data Leaders",
        "To learn from peers.",
        "Open network 0",
        "Future session 0",
        "Commissioner 0",
        "Data ethics workshop",
        "Attended",
        "Place confirmed",
    ]:
        assert text in html, text
    assert "Reminders we sent you" in html
    assert reverse("privacy:personal-data-download") in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_download_is_a_json_file_with_everything(client, member, approval_network, past_event, staff):
    _activity(member, approval_network=approval_network, past_event=past_event, staff=staff)
    client.force_login(member)

    response = client.get(reverse("privacy:personal-data-download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "amara@camden.gov.uk"
    assert data["profile"]["email_addresses"] == [
        {"email": "amara@camden.gov.uk", "verified": True, "primary": True}
    ]
    assert data["organisation"]["name"] == "Camden"
    leaders = next(m for m in data["memberships"] if m["network"] == "Data Leaders")
    assert leaders["status"] == "Application pending"
    assert {"question": "Why you wanted to join", "answer": "To learn from peers."} in leaders[
        "application_answers"
    ]
    future = next(r for r in data["registrations"] if r["event"] == "Future session 0")
    assert future["answers"] == [{"question": "Your role", "answer": "Commissioner 0"}]
    assert future["status"] == "Confirmed"
    assert [r["event"] for r in data["reminders_sent"]] == ["Future session 0"]
    assert data["reminders_sent"][0]["sent_at"].endswith(("+00:00", "+01:00"))
    assert [n["kind"] for n in data["notifications"]] == ["Place confirmed"]
    assert data["calendar_feed"]["created_at"]


def test_export_holds_nobody_elses_data(client, member, outsider, approval_network, past_event, staff):
    _activity(outsider, approval_network=approval_network, past_event=past_event, staff=staff)
    client.force_login(member)

    data = json.loads(client.get(reverse("privacy:personal-data-download")).content)

    assert data["memberships"] == data["registrations"] == data["reminders_sent"] == []
    assert "olly" not in json.dumps(data).lower()


def test_export_runs_the_same_number_of_queries_whatever_the_activity(
    member, outsider, approval_network, past_event, staff
):
    _activity(member, approval_network=approval_network, past_event=past_event, staff=staff, size=1)
    other_network = NetworkFactory(name="Data Leaders 2", join_policy=Network.JoinPolicy.APPROVAL)
    _activity(outsider, approval_network=other_network, past_event=past_event, staff=staff, size=6)

    counts = []
    for person in (member, outsider):
        with CaptureQueriesContext(connection) as queries:
            personal_data_export(user=person)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 17  # newsletter 2, mentoring 5, certificates 1, feedback 1


@pytest.mark.parametrize("name", ["privacy:personal-data", "privacy:personal-data-download"])
def test_your_data_needs_signing_in_and_only_answers_get(client, member, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(member)
    assert client.post(reverse(name)).status_code == 405


# --- delete my account ----------------------------------------------------------------------


@pytest.fixture
def busy_member(member, outsider, approval_network, past_event, staff):
    """A member with a bit of everything, and the people it touches."""
    full = EventFactory(title="Introduction to Data", capacity=1)
    question = QuestionFactory(event=full, text="Your role", kind="short_text", options="")
    registration_create(event=full, user=member, answers={str(question.pk): "Analyst"}, acting_user=member)
    registration_create(event=full, user=outsider, answers={str(question.pk): "Lead"}, acting_user=outsider)
    past_question = QuestionFactory(event=past_event, text="Dietary needs", kind="short_text", options="")
    RegistrationFactory(
        event=past_event,
        user=member,
        status=Registration.Status.ATTENDED,
        answers={str(past_question.pk): "Vegetarian"},
    )
    RegistrationFactory(event=past_event, user=outsider, status=Registration.Status.ATTENDED)
    RegistrationFactory(event=past_event, status=Registration.Status.NO_SHOW)
    scientists = NetworkFactory(name="Data Scientists")
    MembershipFactory(user=member, network=scientists)
    membership_apply(
        user=member,
        network=approval_network,
        answers={"job_title": "Head of Data", "organisation": "Camden", "reason": "Amara wants to learn."},
    )
    reminder_email(event=full, user=member, offset_hours=24, state="sent", sent_at=timezone.now())
    calendar_feed_regenerate(user=member)
    invitation_create(network=NetworkFactory(name="Chief Officers"), email=member.email, invited_by=staff)
    private = EventFactory(title="Invitation only", audience=Event.Audience.INVITATION)
    Invitation.objects.create(event=private, email=member.email, invited_by=staff)
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[member], action_flag=CHANGE, change_message="Changed job title."
    )
    return {"full": full, "past": past_event, "scientists": scientists}


def _counts(event):
    registrations = Registration.objects.filter(event=event)
    return {status: registrations.filter(status=status).count() for status in Registration.Status.values}


def _text_everywhere(*needles: str) -> list[str]:
    """Every stored text value, in every table, that contains one of the needles."""
    found = []
    for model in apps.get_models():
        text_fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            for value in row:
                text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                if any(needle.lower() in (text or "").lower() for needle in needles):
                    found.append(f"{model._meta.label}: {text}")
    return found


def test_deleting_an_account_removes_the_person_and_keeps_the_counts(
    client, member, outsider, busy_member, committed, mailoutbox
):
    full, past = busy_member["full"], busy_member["past"]
    past_counts = _counts(past)
    assert _text_everywhere("amara")  # the check below can fail
    client.force_login(member)

    with committed():
        response = client.post(reverse("privacy:account-delete"), {"password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("privacy:account-deleted")
    assert not User.objects.filter(email__iexact="amara@camden.gov.uk").exists()
    assert not EmailAddress.objects.filter(email__iexact="amara@camden.gov.uk").exists()
    # Nothing anywhere still holds the name or the email address.
    assert _text_everywhere("amara@camden.gov.uk", "Amara Member", "Amara wants", "Vegetarian") == []
    # The past session's counts are unchanged; the row is anonymous and has no answers.
    assert _counts(past) == past_counts
    anonymous = Registration.objects.get(event=past, user=None, status=Registration.Status.ATTENDED)
    assert anonymous.answers == {}
    # The place at the full session went to the person waiting, who was told.
    assert Registration.objects.get(event=full, user=outsider).status == Registration.Status.CONFIRMED
    assert Registration.objects.get(event=full, user=None).status == Registration.Status.CANCELLED
    promoted = [m for m in mailoutbox if m.to == [outsider.email]]
    assert promoted and "place" in promoted[-1].subject.lower()
    assert all("amara@camden.gov.uk" not in message.to for message in mailoutbox)
    # Reminders, notifications, feed, invitations and memberships of the person are gone.
    assert not Email.objects.filter(kind="events.reminder").exists()
    assert not Email.objects.filter(to__iexact="amara@camden.gov.uk").exists()
    assert not CalendarFeed.objects.exists()
    assert not NetworkInvitation.objects.exists() and not Invitation.objects.exists()
    assert not Membership.objects.filter(network=busy_member["scientists"]).exists()
    # The record of what happened stays, without the person.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "events.registration.cancelled",
        "events.registration.promoted",
        "networks.membership.left",
        "networks.membership.withdrawn",
        "accounts.user.deleted",
    } <= actions
    assert LogEntry.objects.get(content_type=ContentType.objects.get_for_model(User)).object_repr == (
        "Deleted account"
    )


def test_after_deleting_the_person_is_signed_out_and_cannot_sign_in(client, member):
    client.force_login(member)
    client.post(reverse("privacy:account-delete"), {"password": PASSWORD})

    assert client.get(reverse("accounts:profile-detail")).status_code == 302
    page = client.get(reverse("privacy:account-deleted"))
    assert page.status_code == 200 and "Your account has been deleted" in page.content.decode()
    response = client.post(reverse("account_login"), {"login": "amara@camden.gov.uk", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "message"), [("", "Enter your password"), ("wrong-password", "The password is not correct")]
)
def test_deleting_needs_the_right_password(client, member, busy_member, password, message):
    client.force_login(member)
    before = Registration.objects.filter(user=member).count()

    response = client.post(reverse("privacy:account-delete"), {"password": password})

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "govuk-error-summary" in html
    assert User.objects.filter(pk=member.pk, is_active=True).exists()
    assert Registration.objects.filter(user=member).count() == before
    assert Membership.objects.filter(user=member, status=Membership.Status.ACTIVE).exists()


def test_too_many_wrong_passwords_stop_the_delete_page_checking(client, member):
    client.force_login(member)
    for _ in range(5):
        client.post(reverse("privacy:account-delete"), {"password": "wrong-password"})

    response = client.post(reverse("privacy:account-delete"), {"password": PASSWORD})

    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_page_needs_signing_in_and_shows_the_consequences(client, member):
    response = client.get(reverse("privacy:account-delete"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(member)
    html = client.get(reverse("privacy:account-delete")).content.decode()
    assert "You cannot undo this" in html and 'autocomplete="current-password"' in html
    assert client.put(reverse("privacy:account-delete")).status_code == 405


def test_deleting_an_account_with_no_activity_works(member):
    account_delete(user=member)
    assert not User.objects.filter(pk=member.pk).exists()


def test_deleting_keeps_other_peoples_names_in_the_audit_log(member, outsider, busy_member):
    account_delete(user=member)
    promoted = AuditEntry.objects.get(action="events.registration.promoted")
    assert promoted.target_repr.startswith("Olly Outsider")


# --- answers deleted after the retention period ---------------------------------------------


@pytest.fixture
def answered(past_event, member):
    question = QuestionFactory(event=past_event, text="Your role", kind="short_text", options="")
    return RegistrationFactory(
        event=past_event, user=member, status=Registration.Status.ATTENDED, answers={str(question.pk): "Lead"}
    )


def test_answers_are_deleted_the_configured_number_of_days_after_the_event(settings, answered, past_event):
    settings.ANSWER_RETENTION_DAYS = 180
    deadline = past_event.end + timedelta(days=180)

    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        assert privacy_tasks.registration_answers_expire.delay().get() == 0
    answered.refresh_from_db()
    assert answered.answers != {}

    with time_machine.travel(deadline, tick=False):
        assert privacy_tasks.registration_answers_expire.delay().get() == 1
        assert registration_answers_expire() == 0  # a second run finds nothing
    answered.refresh_from_db()
    assert answered.answers == {}
    assert answered.status == Registration.Status.ATTENDED and answered.user_id is not None
    entry = AuditEntry.objects.get(action="events.event.answers_deleted")
    assert entry.data == {"registrations": 1, "retention_days": 180}


def test_answer_retention_follows_the_setting(settings, answered, past_event):
    settings.ANSWER_RETENTION_DAYS = 7
    assert registration_answers_expire(now=past_event.end + timedelta(days=6)) == 0
    assert registration_answers_expire(now=past_event.end + timedelta(days=7)) == 1


def test_answers_to_upcoming_events_are_kept(member):
    event = EventFactory()
    question = QuestionFactory(event=event, kind="short_text", options="")
    RegistrationFactory(event=event, user=member, answers={str(question.pk): "Lead"})
    assert registration_answers_expire(now=timezone.now()) == 0
    assert Registration.objects.get(event=event).answers != {}


def test_answer_retention_runs_daily_from_beat():
    entries = [entry for entry in celery_app.conf.beat_schedule.values() if "answers" in entry["task"]]
    assert len(entries) == 1
    assert entries[0]["task"] == "privacy.tasks.registration_answers_expire"  # exists: test_task_names
