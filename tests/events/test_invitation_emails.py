from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Event, Invitation
from events.services import invitations_announce
from outbox.models import Email
from outbox.services import emails_send, outbox_sweep
from tests.factories import EventFactory


@pytest.fixture
def private(db):
    return EventFactory(
        title="Chief Officers' briefing", slug="chief-briefing", audience=Event.Audience.INVITATION
    )


def inline_data(event, emails):
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "description": "",
        "kind": event.kind,
        "programme": "",
        "start_0": timezone.localtime(event.start).strftime("%Y-%m-%d"),
        "start_1": timezone.localtime(event.start).strftime("%H:%M:%S"),
        "end_0": timezone.localtime(event.end).strftime("%Y-%m-%d"),
        "end_1": timezone.localtime(event.end).strftime("%H:%M:%S"),
        "venue": "",
        "online_url": event.online_url,
        "mode": event.mode,
        "status": event.status,
        "audience": event.audience,
        "capacity": "",
        "registration_opens_0": "",
        "registration_opens_1": "",
        "registration_closes_0": "",
        "registration_closes_1": "",
    }
    for prefix in ("speakers", "questions", "registrations"):
        data[f"{prefix}-TOTAL_FORMS"] = 0
        data[f"{prefix}-INITIAL_FORMS"] = 0
    data["invitations-TOTAL_FORMS"] = len(emails)
    data["invitations-INITIAL_FORMS"] = 0
    for index, email in enumerate(emails):
        data[f"invitations-{index}-email"] = email
    return data


def test_staff_inviting_in_admin_emails_each_invitee_once(
    client, staff, private, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    url = reverse("admin:events_event_change", args=[private.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, inline_data(private, ["Chief@Camden.gov.uk", "ceo@hackney.gov.uk"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(m.to[0] for m in mail.outbox) == ["ceo@hackney.gov.uk", "chief@camden.gov.uk"]
    message = mail.outbox[0]
    assert message.subject == "You are invited: Chief Officers' briefing"
    assert reverse("events:event-detail", args=[private.slug]) in message.body
    assert message.alternatives and "Chief Officers&#x27; briefing" in message.alternatives[0][0]
    assert Email.objects.filter(kind="events.invitation", state=Email.State.SENT).count() == 2
    assert AuditEntry.objects.filter(action="events.invitation.created").count() == 2

    # Sending again (a retried task) or announcing again sends nothing more.
    for email in Email.objects.all():
        assert emails_send(email_ids=[email.pk])["sent"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_announce(invitations=Invitation.objects.all(), acting_user=staff) == 0
    assert len(mail.outbox) == 2


def announce(invitation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitations_announce(invitations=[invitation], acting_user=None)
    return Email.objects.get(kind="events.invitation", data__invitation_id=invitation.pk)


def test_a_failed_send_is_retried_and_a_lost_task_is_found(
    private, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends.locmem import EmailBackend

    invitation = Invitation.objects.create(event=private, email="chief@camden.gov.uk")

    def broken(self, messages):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    email = announce(invitation, django_capture_on_commit_callbacks)
    assert email.state == Email.State.PENDING and email.last_error == "mail server down"
    assert outbox_sweep()["queued"] == 0  # not due again yet
    monkeypatch.undo()
    with time_machine.travel(email.available_at + timedelta(seconds=1)):
        # The sweeper finds it (as it finds one whose task the broker lost) and it goes, once.
        assert outbox_sweep()["queued"] == 1
        assert outbox_sweep()["queued"] == 0
    email.refresh_from_db()
    assert email.state == Email.State.SENT
    assert len(mail.outbox) == 1


def test_no_invitation_email_for_a_draft_or_past_session(private, django_capture_on_commit_callbacks):
    private.status = Event.Status.DRAFT
    private.save()
    invitation = Invitation.objects.create(event=private, email="chief@camden.gov.uk")
    assert announce(invitation, django_capture_on_commit_callbacks).state == Email.State.SKIPPED
    assert mail.outbox == []
