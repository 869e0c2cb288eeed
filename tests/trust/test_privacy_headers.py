"""Smaller privacy guarantees: signed-in pages are never stored, every response limits browser
features, deleting an account leaves no audit row naming the person, and calendar attachments
name their charset once."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from events.models import Event, Invitation
from events.services import registration_create
from events.services.invitations import invitations_announce
from tests.factories import PASSWORD, EventFactory, NetworkFactory, UserFactory


@pytest.fixture
def network(db):
    return NetworkFactory(name="Data Practitioners")


def test_every_signed_in_page_is_private_and_never_stored(client, member, staff, network):
    event = EventFactory(slug="a-session")
    client.force_login(member)
    for url in [
        reverse("home"),
        reverse("accounts:profile-detail"),
        reverse("privacy:personal-data"),
        reverse("events:my-events"),
        reverse("events:event-list"),
        reverse("events:event-detail", args=[event.slug]),
        reverse("networks:network-list"),
        reverse("networks:network-detail", args=[network.slug]),
        reverse("account_email"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives and "public" not in directives, url
    admin = Client()
    admin.force_login(staff)
    directives = {part.strip() for part in admin.get(reverse("admin:index"))["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_every_response_limits_browser_features(client, db):
    for url in ["/", "/events/", "/no-such-page/", "/healthz"]:
        policy = client.get(url)["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, url


def test_deleting_an_account_scrubs_every_audit_row_that_names_them(client, staff, org, mailoutbox):
    person = UserFactory(email="priya.person@camden.gov.uk", full_name="Priya Personname", organisation=org)
    event = EventFactory(audience=Event.Audience.INVITATION)
    invitation = Invitation.objects.create(event=event, email="Priya.Person@camden.gov.uk", invited_by=staff)
    invitations_announce(invitations=[invitation], acting_user=staff)
    registration_create(event=event, user=person, answers={}, acting_user=person)
    assert AuditEntry.objects.filter(
        action="events.invitation.created", data__email=invitation.email
    ).exists()

    client.force_login(person)
    response = client.post(reverse("privacy:account-delete"), {"password": PASSWORD})
    assert response.status_code == 302

    for entry in AuditEntry.objects.all():
        text = f"{entry.target_repr} {entry.data}".lower()
        assert "priya.person@camden.gov.uk" not in text, entry.action
        assert "priya personname" not in text, entry.action
    assert AuditEntry.objects.filter(action="events.invitation.created").exists()  # the record stays


def test_a_calendar_attachment_names_its_charset_once(member, mailoutbox, django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=member, answers={}, acting_user=member)
    [message] = mailoutbox
    raw = message.message().as_string()
    headers = [part for part in raw.split("Content-Type: ")[1:] if part.startswith("text/calendar")]
    assert headers, "no calendar attachment"
    for header in headers:
        header = header.split("\n\n")[0].split("Content-Transfer-Encoding")[0]
        assert header.lower().count("charset") == 1, header


def test_a_signed_in_page_says_private_no_store_and_keeps_what_its_view_said(client, member):
    client.force_login(member)
    assert client.get(reverse("privacy"))["Cache-Control"] == "private, no-store"
    # A view that says never_cache (the your-data page) keeps its directives, merged.
    directives = [
        part.strip() for part in client.get(reverse("privacy:personal-data"))["Cache-Control"].split(",")
    ]
    assert {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"} == set(directives)
    assert len(directives) == len(set(directives))
    assert "Cache-Control" not in Client().get(reverse("privacy"))
