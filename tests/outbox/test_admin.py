"""Staff see what is owed: every email per person and per event, sent, waiting and failed, with
"send again" for a failed one; and the reminders still to come for a future event."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Event
from events.services import registration_create
from outbox.models import Email
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, UserFactory

EMAILS = reverse("admin:outbox_email_changelist")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def event(db):
    return EventFactory(title="Data ethics training", slug="data-ethics-training")


@pytest.fixture
def emails(event, member, outsider):
    """One email sent to the member, one waiting for the outsider, one failed for the member."""
    for person in (member, outsider):
        registration_create(event=event, user=person, answers={}, acting_user=person)
    sent, waiting = Email.objects.order_by("id")
    Email.objects.filter(pk=sent.pk).update(state=Email.State.SENT, sent_at=timezone.now())
    failed = Email.objects.create(
        kind="events.confirmed",
        to=member.email,
        user=member,
        about_type="events.event",
        about_id=event.pk,
        data={"registration_id": member.registrations.get().pk, "calendar_method": "REQUEST"},
        state=Email.State.FAILED,
        last_error="550 5.1.1 No such mailbox here",
    )
    return {"sent": sent, "waiting": waiting, "failed": failed}


def test_a_person_s_page_counts_their_emails_and_links_to_them(staff_client, member, emails):
    page = staff_client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert "1 email sent, 0 waiting to be sent, 1 failed." in page
    listing = staff_client.get(EMAILS, {"user__id__exact": member.pk}).content.decode()
    assert "550 5.1.1 No such mailbox here" in listing
    assert "olly@hackney.gov.uk" not in listing


def test_an_event_s_page_counts_its_emails_and_links_to_them(staff_client, event, emails):
    page = staff_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "1 email sent, 1 waiting to be sent, 1 failed." in page
    listing = staff_client.get(EMAILS, {"about_type": "events.event", "about_id": event.pk}).content.decode()
    assert listing.count("Place confirmed") >= 3
    other = EventFactory()
    empty = staff_client.get(EMAILS, {"about_type": "events.event", "about_id": other.pk}).content.decode()
    assert "No such mailbox" not in empty


def test_staff_send_a_failed_email_again_and_only_a_failed_one(
    staff_client, staff, emails, mailoutbox, django_capture_on_commit_callbacks
):
    chosen = [emails["failed"].pk, emails["waiting"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            EMAILS, {"action": "send_again", "_selected_action": chosen}, follow=True
        )
    page = response.content.decode()
    assert "1 email will be sent again." in page
    assert "1 not failed, so left as they are" in page
    emails["failed"].refresh_from_db()
    assert emails["failed"].state == Email.State.SENT
    assert [message.to for message in mailoutbox] == [[emails["failed"].to]]
    assert AuditEntry.objects.filter(action="outbox.email.sent_again").count() == 1


def test_someone_without_rights_cannot_send_again(client, member, emails):
    member.is_staff = True
    member.save()
    client.force_login(member)
    assert client.get(EMAILS).status_code == 403
    client.post(EMAILS, {"action": "send_again", "_selected_action": [emails["failed"].pk]})
    emails["failed"].refresh_from_db()
    assert emails["failed"].state == Email.State.FAILED


def test_an_email_cannot_be_edited_or_deleted(staff_client, emails):
    url = reverse("admin:outbox_email_change", args=[emails["failed"].pk])
    assert 'name="to"' not in staff_client.get(url).content.decode()
    delete = reverse("admin:outbox_email_delete", args=[emails["failed"].pk])
    assert staff_client.get(delete).status_code == 403


def test_a_future_meeting_shows_the_reminders_to_come_not_nothing(staff_client, db):
    network = NetworkFactory(name="Data Leaders", slug="data-leaders")
    for _ in range(3):
        MembershipFactory(network=network, user=UserFactory())
    start = timezone.now().replace(microsecond=0) + timedelta(days=8)
    meeting = EventFactory(
        title="Data Leaders meeting",
        kind=Event.Kind.NETWORK_MEETING,
        network=network,
        start=start,
        end=start + timedelta(hours=1),
    )
    listing = staff_client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "168 h before, 24 h before" in listing
    page = staff_client.get(reverse("admin:events_event_change", args=[meeting.pk])).content.decode()
    assert "0 reminders sent, 0 waiting to be sent, 0 failed." in page
    assert "168 hours before the start" in page and "24 hours before the start" in page
    assert "to the 3 people who would get it now" in page

    # Due now but not written yet: it is still to come, at the next run of the job.
    with time_machine.travel(start - timedelta(hours=100)):
        page = staff_client.get(reverse("admin:events_event_change", args=[meeting.pk])).content.decode()
    assert "168 hours before the start" in page
