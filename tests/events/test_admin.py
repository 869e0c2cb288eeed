"""Staff run events from Django admin; every change goes through the services."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Event, EventMessage, Invitation, Registration
from outbox.models import Email
from tests.factories import QuestionFactory, RegistrationFactory, SpeakerFactory, UserFactory
from tests.helpers import AdminForm

from .conftest import calendar_attachment, only_event

Status = Registration.Status
CHANGELIST = reverse("admin:events_event_changelist")


def change_form_data(client, event) -> dict:
    html = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    parser = AdminForm("event_form")
    parser.feed(html)
    return parser.data


def local(moment) -> tuple[str, str]:
    moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_event_list_shows_confirmed_waiting_and_capacity(staff_client, small_event):
    RegistrationFactory.create_batch(2, event=small_event)
    RegistrationFactory(event=small_event, status=Status.WAITLISTED, waitlist_position=1)
    RegistrationFactory(event=small_event, status=Status.CANCELLED)
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(small_event.title) :]
    row = row[: row.index("</tr>")]
    assert '<td class="field-capacity">2</td>' in row
    assert '<td class="field-confirmed">2</td>' in row
    assert '<td class="field-waiting">1</td>' in row


def test_non_staff_cannot_reach_the_admin(client, member, event):
    client.force_login(member)
    response = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_changing_the_time_in_admin_sends_updates_with_a_higher_sequence(
    staff_client, event, member, committed, mailoutbox
):
    RegistrationFactory(event=event, user=member)
    QuestionFactory(event=event)
    SpeakerFactory(event=event)
    data = change_form_data(staff_client, event)
    new_start = event.start + timedelta(hours=1)
    data["start_0"], data["start_1"] = local(new_start)
    data["end_0"], data["end_1"] = local(new_start + timedelta(hours=2))

    with committed():
        response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == new_start
    assert event.sequence == 1
    assert [m.to for m in mailoutbox] == [[member.email]]
    vevent = only_event(calendar_attachment(mailoutbox[0])[0])
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == new_start
    assert AuditEntry.objects.filter(action="events.event.changed", target_id=str(event.pk)).exists()


def test_adding_an_event_in_admin_is_audited(staff_client, staff):
    start = timezone.now() + timedelta(days=10)
    data = {
        "title": "Data ethics workshop",
        "slug": "data-ethics-workshop",
        "summary": "",
        "description": "",
        "kind": "training",
        "network": "",
        "programme": "",
        "start_0": local(start)[0],
        "start_1": "10:00:00",
        "end_0": local(start)[0],
        "end_1": "12:00:00",
        "venue": "",
        "online_url": "",
        "mode": "in_person",
        "status": "draft",
        "audience": "signed_in",
        "capacity": "20",
        "registration_opens_0": "",
        "registration_opens_1": "",
        "registration_closes_0": "",
        "registration_closes_1": "",
    }
    for prefix in ("speakers", "questions", "invitations", "registrations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = staff_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="data-ethics-workshop")
    assert AuditEntry.objects.get(action="events.event.created").actor == staff
    assert event.sequence == 0


def test_admin_refuses_an_end_before_the_start(staff_client, event, mailoutbox):
    data = change_form_data(staff_client, event)
    data["end_0"], data["end_1"] = local(event.start - timedelta(hours=1))
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert Event.objects.get(pk=event.pk).end == event.end


def test_export_attendees_is_formula_safe_and_has_the_answers(staff_client, event, staff):
    question = QuestionFactory(event=event)
    RegistrationFactory(
        event=event,
        user=UserFactory(full_name='=HYPERLINK("http://evil")', email="evil@camden.gov.uk"),
        answers={str(question.pk): "Commissioner"},
    )
    RegistrationFactory(event=event, user=UserFactory(email="gone@camden.gov.uk"), status=Status.CANCELLED)
    response = staff_client.post(CHANGELIST, {"action": "export_attendees", "_selected_action": [event.pk]})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="attendees-{event.slug}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Your role"
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[1][3] == "evil@camden.gov.uk"
    assert rows[1][-1] == "Commissioner"
    assert AuditEntry.objects.get(action="events.event.attendees_exported").actor == staff


def test_email_registrants_asks_for_the_message_then_sends_it(
    staff_client, small_event, committed, mailoutbox
):
    confirmed = RegistrationFactory(event=small_event, user=UserFactory(email="placed@camden.gov.uk"))
    RegistrationFactory(
        event=small_event,
        user=UserFactory(email="waiting@camden.gov.uk"),
        status=Status.WAITLISTED,
        waitlist_position=1,
    )
    selected = {"action": "email_registrants", "_selected_action": [small_event.pk]}

    form = staff_client.post(CHANGELIST, selected)
    assert form.status_code == 200
    assert "Email the registrants" in form.content.decode()
    assert "1 with a place, 1 waiting" in form.content.decode()
    assert 'name="send"' in form.content.decode()

    invalid = staff_client.post(
        CHANGELIST, {**selected, "send": "1", "recipients": "confirmed", "subject": ""}
    )
    assert invalid.status_code == 200
    assert "This field is required." in invalid.content.decode()
    assert not EventMessage.objects.exists()

    with committed():
        sent = staff_client.post(
            CHANGELIST,
            {
                **selected,
                "send": "1",
                "recipients": "confirmed",
                "subject": "Room change",
                "body": "We are now in room 2.",
            },
        )
    assert sent.status_code == 302
    assert [(m.to, m.subject) for m in mailoutbox] == [([confirmed.user.email], "Room change")]
    assert "We are now in room 2." in mailoutbox[0].body
    assert Email.objects.filter(kind="events.message", state="sent").count() == 1
    assert AuditEntry.objects.get(action="events.event.messaged").data["count"] == 1


def test_duplicate_makes_a_draft_copy_with_speakers_and_questions(staff_client, event):
    SpeakerFactory(event=event, name="Dan Ebanks")
    QuestionFactory(event=event)
    RegistrationFactory(event=event)
    response = staff_client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [event.pk]})
    assert response.status_code == 302
    copy = Event.objects.get(slug=f"{event.slug}-copy")
    assert copy.status == Event.Status.DRAFT
    assert copy.title == f"{event.title} (copy)"
    assert (copy.start, copy.capacity, copy.audience) == (event.start, event.capacity, event.audience)
    assert [s.name for s in copy.speakers.all()] == ["Dan Ebanks"]
    assert [q.text for q in copy.questions.all()] == ["Your role"]
    assert not copy.registrations.exists()
    staff_client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [event.pk]})
    assert Event.objects.filter(slug=f"{event.slug}-copy-2").exists()


def test_promote_from_waitlist_action_fills_free_places(staff_client, small_event):
    RegistrationFactory.create_batch(2, event=small_event)
    first = RegistrationFactory(event=small_event, status=Status.WAITLISTED, waitlist_position=1)
    second = RegistrationFactory(event=small_event, status=Status.WAITLISTED, waitlist_position=2)
    Event.objects.filter(pk=small_event.pk).update(capacity=3)
    staff_client.post(CHANGELIST, {"action": "promote_from_waitlist", "_selected_action": [small_event.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.CONFIRMED, Status.WAITLISTED)


def test_cancel_events_action_sends_cancellations(staff_client, event, member, committed, mailoutbox):
    RegistrationFactory(event=event, user=member)
    with committed():
        staff_client.post(CHANGELIST, {"action": "cancel_events", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert calendar_attachment(mailoutbox[0])[0]["METHOD"] == "CANCEL"


def test_registration_actions_mark_attendance_and_promote(staff_client, small_event, staff):
    placed = RegistrationFactory(event=small_event)
    RegistrationFactory(event=small_event)
    waiting = RegistrationFactory(event=small_event, status=Status.WAITLISTED, waitlist_position=1)
    url = reverse("admin:events_registration_changelist")

    response = staff_client.post(url, {"action": "promote", "_selected_action": [waiting.pk]})
    assert response.status_code == 302
    waiting.refresh_from_db()
    small_event.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert small_event.capacity == 3

    Event.objects.filter(pk=small_event.pk).update(
        start=timezone.now() - timedelta(hours=3), end=timezone.now() - timedelta(hours=1)
    )
    staff_client.post(url, {"action": "mark_attended", "_selected_action": [placed.pk]})
    staff_client.post(url, {"action": "mark_no_show", "_selected_action": [waiting.pk]})
    placed.refresh_from_db()
    waiting.refresh_from_db()
    assert (placed.status, waiting.status) == (Status.ATTENDED, Status.NO_SHOW)
    assert AuditEntry.objects.filter(action="events.registration.attended", actor=staff).count() == 1


def test_marking_someone_on_the_waiting_list_as_attended_is_refused_with_a_warning(staff_client, small_event):
    RegistrationFactory.create_batch(2, event=small_event)
    waiting = RegistrationFactory(event=small_event, status=Status.WAITLISTED, waitlist_position=1)
    Event.objects.filter(pk=small_event.pk).update(
        start=timezone.now() - timedelta(hours=3), end=timezone.now() - timedelta(hours=1)
    )
    response = staff_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "mark_attended", "_selected_action": [waiting.pk]},
        follow=True,
    )
    assert "did not have a place" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


def test_event_change_page_lists_registrations_read_only(staff_client, event, member):
    RegistrationFactory(event=event, user=member)
    html = staff_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert f"{member.full_name} &lt;{member.email}&gt;" in html
    assert "Manage the registrations" in html
    assert 'name="registrations-0-status"' not in html


def test_inviting_the_same_address_twice_is_an_error_not_a_crash(staff_client, event):
    Invitation.objects.create(event=event, email="guest@camden.gov.uk")
    data = change_form_data(staff_client, event)
    data.update({"invitations-TOTAL_FORMS": "2", "invitations-1-email": "Guest@Camden.gov.uk"})
    data["invitations-1-event"] = str(event.pk)
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    assert "guest@camden.gov.uk is already invited." in response.content.decode()
    assert Invitation.objects.filter(event=event).count() == 1

    data["invitations-1-email"] = "another@camden.gov.uk"
    assert staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data).status_code == 302
    assert Invitation.objects.get(email="another@camden.gov.uk").invited_by.is_staff
