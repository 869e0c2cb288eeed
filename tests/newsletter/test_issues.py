"""Staff write an issue, preview it, test it, schedule it; it goes to each subscriber once, with
one-click unsubscribe, and the "Coming up" list never names a restricted session."""

import smtplib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from newsletter.models import Issue, Subscriber
from newsletter.services import issue_schedule, issue_send, subscribers_suppress_refused
from outbox.models import Email
from outbox.services import emails_send
from tests.factories import EventFactory, NetworkFactory
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(db):
    network = NetworkFactory(name="Data Scientists")
    return {
        "public": EventFactory(title="Open data clinic", audience=Event.Audience.SIGNED_IN),
        "members": EventFactory(
            title="Members-only retro", audience=Event.Audience.NETWORK_MEMBERS, network=network
        ),
        "invitation": EventFactory(title="Secret supplier briefing", audience=Event.Audience.INVITATION),
        "borough": EventFactory(title="Borough staff roundtable", audience=Event.Audience.BOROUGH_STAFF),
        "draft": EventFactory(title="Unpublished plans", status=Event.Status.DRAFT),
        "past": EventFactory(
            title="Last year's session",
            start=timezone.now() - timedelta(days=3),
            end=timezone.now() - timedelta(days=3) + timedelta(hours=1),
        ),
    }


RESTRICTED = [
    "Members-only retro",
    "Secret supplier briefing",
    "Borough staff roundtable",
    "Unpublished plans",
]


@pytest.fixture
def issue(staff):
    return Issue.objects.create(
        subject="November at LOTI",
        body="## What we learnt\n\nBoroughs **shared** data.\n\n<script>alert(1)</script>",
        created_by=staff,
    )


def _subscribers(count):
    return Subscriber.objects.bulk_create(
        [Subscriber(email=f"person{n}@example.org", status="subscribed") for n in range(count)]
    )


def test_staff_preview_shows_the_email_with_only_public_sessions(client, staff, issue, sessions):
    client.force_login(staff)
    response = client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "What we learnt</h2>" in html and "<strong>shared</strong>" in html
    assert "<script>" not in html
    assert "Coming up" in html and "Open data clinic" in html
    for title in [*RESTRICTED, "Last year's session"]:
        assert title not in html


def test_only_staff_see_the_preview(client, member, issue):
    client.force_login(member)
    response = client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert response.status_code == 302  # to the admin sign-in
    assert "November at LOTI" not in response.content.decode()


def test_staff_send_a_test_to_themselves_only(client, staff, issue, send, mailoutbox):
    _subscribers(2)
    client.force_login(staff)
    data = {
        "subject": issue.subject,
        "body": issue.body,
        "coming_up": "on",
        "coming_up_count": 5,
        "_send_test": "1",
    }
    with send():
        response = client.post(reverse("admin:newsletter_issue_change", args=[issue.pk]), data)
    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == [staff.email]
    assert message.subject == "[Test] November at LOTI"
    issue.refresh_from_db()
    assert issue.status == "draft"


def test_staff_schedule_an_issue_for_later(client, staff, issue):
    client.force_login(staff)
    data = {
        "subject": issue.subject,
        "body": issue.body,
        "coming_up_count": 5,
        "send_at_0": "01/01/2030",
        "send_at_1": "09:00",
        "_schedule": "1",
    }
    response = client.post(reverse("admin:newsletter_issue_change", args=[issue.pk]), data)
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "scheduled"
    assert timezone.localtime(issue.send_at).strftime("%Y-%m-%d %H:%M") == "2030-01-01 09:00"
    assert issue_send(issue_id=issue.pk) == 0  # not due yet


def test_a_body_over_the_limit_is_refused_by_the_field(client, staff, issue):
    client.force_login(staff)
    data = {"subject": issue.subject, "body": "x" * 20_001, "coming_up_count": 5, "_save": "1"}
    response = client.post(reverse("admin:newsletter_issue_change", args=[issue.pk]), data)
    assert response.status_code == 200
    assert "at most 20000 characters" in response.content.decode().replace(",", "")
    issue.refresh_from_db()
    assert issue.body != "x" * 20_001


def test_an_issue_goes_to_each_subscriber_once_with_one_click_unsubscribe(
    client, staff, issue, sessions, send, mailoutbox
):
    _subscribers(3)
    Subscriber.objects.create(email="pending@example.org")
    Subscriber.objects.create(email="gone@example.org", status="unsubscribed")
    issue_schedule(issue=issue, send_at=timezone.now(), acting_user=staff)
    with send():
        assert issue_send(issue_id=issue.pk) == 3
    with send():
        assert issue_send(issue_id=issue.pk) == 0  # a second run, or a second beat, sends nothing
    assert sorted(message.to[0] for message in mailoutbox) == [f"person{n}@example.org" for n in range(3)]
    message = mailoutbox[0]
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link_in(message, "/newsletter/unsubscribe/") in unsubscribe
    text, html = message.body, message.alternatives[0][0]
    assert "Open data clinic" in text and "Open data clinic" in html
    for title in RESTRICTED:
        assert title not in text and title not in html
    issue.refresh_from_db()
    assert (issue.status, issue.recipients) == ("sent", 3)
    assert Email.objects.filter(kind="newsletter.issue").count() == 3

    client.post(link_in(message, "/newsletter/unsubscribe/"))
    assert Subscriber.objects.filter(status="subscribed").count() == 2


def test_coming_up_drops_a_session_made_restricted_after_sending(client, staff, issue, sessions):
    issue_schedule(issue=issue, send_at=timezone.now(), acting_user=staff)
    issue_send(issue_id=issue.pk)
    Event.objects.filter(pk=sessions["public"].pk).update(audience=Event.Audience.INVITATION)
    html = client.get(reverse("newsletter:issue-detail", args=[issue.pk])).content.decode()
    assert "Open data clinic" not in html


def test_an_address_refused_for_good_is_suppressed_and_shown_to_staff(client, staff, issue, settings):
    [refused, fine] = _subscribers(2)
    issue_schedule(issue=issue, send_at=timezone.now(), acting_user=staff)
    issue_send(issue_id=issue.pk)
    row = Email.objects.get(about_id=refused.pk, kind="newsletter.issue")
    Email.objects.filter(pk=row.pk).update(state=Email.State.FAILED, last_error="550 5.1.1 No such mailbox")
    assert subscribers_suppress_refused() == 1
    refused.refresh_from_db()
    fine.refresh_from_db()
    assert (refused.status, refused.suppressed_reason) == ("suppressed", "550 5.1.1 No such mailbox")
    assert fine.status == "subscribed"
    client.force_login(staff)
    page = client.get(reverse("admin:newsletter_subscriber_changelist") + "?status__exact=suppressed")
    html = page.content.decode()
    assert refused.email in html and "No such mailbox" in html and fine.email not in html


def test_the_outbox_marks_a_5xx_failed_and_the_newsletter_then_suppresses(staff, issue, monkeypatch):
    [refused] = _subscribers(1)
    issue_schedule(issue=issue, send_at=timezone.now(), acting_user=staff)
    issue_send(issue_id=issue.pk)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({refused.email: (550, b"No such mailbox")})

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    outcome = emails_send(email_ids=list(Email.objects.values_list("pk", flat=True)))
    assert outcome["failed"] == 1
    assert subscribers_suppress_refused() == 1
    assert Subscriber.objects.get().status == "suppressed"


def test_the_archive_lists_sent_issues_to_anyone_signed_out(client, staff, issue):
    draft = Issue.objects.create(subject="Still a draft", body="Not yet")
    issue_schedule(issue=issue, send_at=timezone.now(), acting_user=staff)
    issue_send(issue_id=issue.pk)
    html = client.get(reverse("newsletter:newsletter")).content.decode()
    assert "November at LOTI" in html and "Still a draft" not in html
    detail = client.get(reverse("newsletter:issue-detail", args=[issue.pk]))
    assert detail.status_code == 200 and "What we learnt" in detail.content.decode()
    assert client.get(reverse("newsletter:issue-detail", args=[draft.pk])).status_code == 404


def test_the_archive_runs_a_constant_number_of_queries(client, staff, django_assert_max_num_queries):
    def archive_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            client.get(reverse("newsletter:newsletter"))
        return len(context)

    for n in range(2):
        Issue.objects.create(subject=f"Issue {n}", body="Hi", status="sent", sent_at=timezone.now())
    few = archive_queries()
    for n in range(20):
        Issue.objects.create(subject=f"More {n}", body="Hi", status="sent", sent_at=timezone.now())
    assert archive_queries() == few
