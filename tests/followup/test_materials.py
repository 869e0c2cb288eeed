"""Materials after a session: staff share them; who SEES them on the page and in the download is
one rule (followup.selectors.materials_visible_to), checked here for every kind of person."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Event
from followup.emails import ACCESSIBLE_VERSION_MISSING
from followup.models import Material
from followup.services import accessible_version_reminders_enqueue, material_add
from outbox.models import Email
from outbox.services import emails_send

from .conftest import docx, pdf

pytestmark = pytest.mark.django_db

SECRET = b"%PDF-1.7\nthe findings nobody outside may read\n%%EOF\n"


def share_slides(cast, client, *, accessible=False):
    client.force_login(cast.staff)
    response = client.post(
        reverse("followup:materials-manage", args=[cast.event.slug]),
        {
            "kind": "slides",
            "title": "Slides: what we found",
            "file": SimpleUploadedFile("What we found.pdf", SECRET, content_type="application/pdf"),
            "accessible": "on" if accessible else "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return Material.objects.get(title="Slides: what we found")


def page_for(client, user, event):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("events:event-detail", args=[event.slug])).content.decode()


def download_for(client, user, material):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("followup:material-download", args=[material.event.slug, material.pk]))


ROLES_WHO_SEE = {"staff", "member", "lead", "attendee", "missed_it"}
ROLES = [
    "anonymous",
    "other_member",
    "signed_in",
    "waiting",
    "member",
    "attendee",
    "missed_it",
    "lead",
    "staff",
]


def test_who_sees_the_materials_on_the_event_page_and_in_the_download(cast, client):
    material = share_slides(cast, client)
    cast.event.refresh_from_db()
    seen, downloaded = {}, {}
    for role in ROLES:
        user = None if role == "anonymous" else getattr(cast, role)
        page = page_for(client, user, cast.event)
        seen[role] = "Slides: what we found" in page and "Materials from the session" in page
        response = download_for(client, user, material)
        downloaded[role] = response.status_code == 200 and b"".join(response.streaming_content) == SECRET
        if not downloaded[role]:
            assert response.status_code in (302, 404), role
            assert SECRET not in (response.content if not response.streaming else b"")
    assert {role for role, yes in seen.items() if yes} == ROLES_WHO_SEE
    assert {role for role, yes in downloaded.items() if yes} == ROLES_WHO_SEE
    # Signed out: sent to sign in, not told whether the file exists.
    assert download_for(client, None, material)["Location"].startswith(reverse("account_login"))


def test_a_guest_sees_the_materials_only_through_their_own_signed_link(cast, client):
    material = share_slides(cast, client)
    page = client.get(reverse("followup:guest-feedback", args=[cast.event.slug, cast.guest_token]))
    assert page.status_code == 200
    assert "Slides: what we found" in page.content.decode()
    url = reverse("followup:guest-material-download", args=[cast.event.slug, cast.guest_token, material.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == SECRET

    # After the form closes the link still opens the materials.
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        closed = client.get(reverse("followup:guest-feedback", args=[cast.event.slug, cast.guest_token]))
        assert closed.status_code == 403
        assert "Feedback on this session has closed." in closed.content.decode()
        assert "Slides: what we found" in closed.content.decode()
        assert client.get(url).status_code == 200

    tampered = cast.guest_token[:-2] + ("aa" if not cast.guest_token.endswith("aa") else "bb")
    bad = reverse("followup:guest-material-download", args=[cast.event.slug, tampered, material.pk])
    assert client.get(bad).status_code == 404
    # Once the guest's details are deleted (retention), the link opens nothing.
    cast.guest.guest_email = ""
    cast.guest.save()
    assert client.get(url).status_code == 404


def test_the_download_is_an_attachment_never_sniffed_nor_cached(cast, client):
    material = share_slides(cast, client)
    response = download_for(client, cast.attendee, material)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="What we found.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    # Stored under a random name in the private folder, with no URL at all.
    assert material.file.name.startswith(f"events/{cast.event.pk}/") and "found" not in material.file.name
    with pytest.raises(ValueError):
        material.file.url  # noqa: B018


def test_a_cancelled_or_draft_session_shares_its_materials_with_staff_only(cast, client):
    material = share_slides(cast, client)
    for status in (Event.Status.CANCELLED, Event.Status.DRAFT):
        Event.objects.filter(pk=cast.event.pk).update(status=status)
        assert download_for(client, cast.attendee, material).status_code == 404
        assert download_for(client, cast.member, material).status_code == 404
        assert download_for(client, cast.staff, material).status_code == 200


def test_a_material_of_another_session_is_not_found_under_this_one(cast, client):
    material = share_slides(cast, client)
    other = Event.objects.create(
        title="Another", slug="another", start=cast.event.start, end=cast.event.end, status="published"
    )
    client.force_login(cast.staff)
    url = reverse("followup:material-download", args=[other.slug, material.pk])
    assert client.get(url).status_code == 404


def test_staff_share_a_recording_link_shown_to_members(cast, client):
    client.force_login(cast.staff)
    response = client.post(
        reverse("followup:materials-manage", args=[cast.event.slug]),
        {
            "kind": "recording",
            "title": "Recording",
            "url": "https://stream.example/rec/1",
            "accessible": "on",
        },
    )
    assert response.status_code == 302
    assert "https://stream.example/rec/1" in page_for(client, cast.member, cast.event)
    assert "https://stream.example/rec/1" not in page_for(client, cast.other_member, cast.event)
    entry = AuditEntry.objects.get(action="followup.material.added")
    assert entry.actor == cast.staff


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "slides", "title": "Page", "file": ("page.html", b"<script>alert(1)</script>")},
            "file",
            "The file must be one of these types",
        ),
        (
            {"kind": "slides", "title": "Fake", "file": ("fake.pdf", b"MZ not a pdf")},
            "file",
            "The file is not a real PDF file",
        ),
        (
            {"kind": "document", "title": "Fake", "file": ("notes.docx", b"plain text")},
            "file",
            "The file is not a real DOCX file",
        ),
        ({"kind": "slides", "title": "No file"}, "file", "Choose a file to upload"),
        ({"kind": "recording", "title": "No link"}, "url", "Enter the link"),
        (
            {"kind": "recording", "title": "Plain", "url": "http://insecure.example/x"},
            "url",
            "Enter a link starting https://",
        ),
        ({"kind": "slides", "title": "", "file": ("slides.pdf", SECRET)}, "title", "Enter a title"),
        ({"title": "No kind", "file": ("slides.pdf", SECRET)}, "kind", "Choose what you are sharing"),
    ],
)
def test_a_bad_upload_gets_a_message_by_the_field_and_stores_nothing(
    cast, client, materials_root, data, field, message
):
    client.force_login(cast.staff)
    data = dict(data)
    if "file" in data:
        name, content = data["file"]
        data["file"] = SimpleUploadedFile(name, content)
    response = client.post(reverse("followup:materials-manage", args=[cast.event.slug]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert f'id="id_{field}' in page
    assert not Material.objects.exists()
    assert not materials_root.exists() or not any(materials_root.rglob("*.*"))


def test_a_file_over_the_limit_is_refused_with_its_size(cast, client, settings):
    settings.MATERIALS_MAX_UPLOAD_MB = 1
    client.force_login(cast.staff)
    response = client.post(
        reverse("followup:materials-manage", args=[cast.event.slug]),
        {"kind": "slides", "title": "Big", "file": pdf(size=1024 * 1024)},
    )
    assert response.status_code == 400
    assert "The file must be smaller than 1 MB (this one is 1.0" in response.content.decode()
    assert not Material.objects.exists()


def test_only_staff_share_and_remove_materials(cast, client, materials_root):
    url = reverse("followup:materials-manage", args=[cast.event.slug])
    for user in (cast.lead, cast.attendee):
        client.force_login(user)
        response = client.post(url, {"kind": "slides", "title": "Sneaky", "file": pdf()})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Material.objects.exists()
    client.force_login(cast.staff)
    assert client.put(url).status_code == 405

    material = share_slides(cast, client)
    stored = materials_root / material.file.name
    assert stored.exists()
    client.force_login(cast.staff)
    with_commit = client.post(url, {"remove": str(material.pk)})
    assert with_commit.status_code == 302
    assert not Material.objects.exists()


def test_removing_a_material_deletes_its_file(
    cast, client, materials_root, django_capture_on_commit_callbacks
):
    material = share_slides(cast, client)
    stored = materials_root / material.file.name
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("followup:materials-manage", args=[cast.event.slug]), {"remove": str(material.pk)}
        )
    assert not stored.exists()
    assert AuditEntry.objects.filter(action="followup.material.removed").count() == 1


def test_staff_are_warned_when_the_only_material_is_a_pdf(cast, client):
    share_slides(cast, client)
    client.force_login(cast.staff)
    url = reverse("followup:materials-manage", args=[cast.event.slug])
    assert "none is marked as an accessible version" in client.get(url).content.decode()
    client.post(url, {"kind": "document", "title": "Findings (Word)", "file": docx(), "accessible": "on"})
    assert "none is marked as an accessible version" not in client.get(url).content.decode()


def test_staff_are_emailed_once_about_a_missing_accessible_version(cast, client, mailoutbox, settings):
    settings.STAFF_NOTIFICATION_EMAIL = "team@loti.london"
    share_slides(cast, client)
    assert accessible_version_reminders_enqueue() == 0  # just uploaded: give them a day
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=5)):
        assert accessible_version_reminders_enqueue() == 1
        assert accessible_version_reminders_enqueue() == 0
        email = Email.objects.get(kind=ACCESSIBLE_VERSION_MISSING)
        assert email.to == "team@loti.london"
        assert emails_send(email_ids=[email.pk])["sent"] == 1
    assert "include a PDF but no accessible version" in mailoutbox[0].body
    assert reverse("followup:materials-manage", args=[cast.event.slug]) in mailoutbox[0].body


def test_the_staff_reminder_is_not_sent_once_an_accessible_version_is_added(cast, client):
    share_slides(cast, client)
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=5)):
        accessible_version_reminders_enqueue()
        material_add(
            event=cast.event,
            kind="recording",
            title="Captioned recording",
            url="https://stream.example/r",
            accessible=True,
            acting_user=cast.staff,
        )
        email = Email.objects.get(kind=ACCESSIBLE_VERSION_MISSING)
        assert emails_send(email_ids=[email.pk]) == {"sent": 0, "skipped": 1, "failed": 0, "retry": 0}


def test_the_event_page_runs_the_same_queries_whatever_the_number_of_materials(cast, client):
    def queries():
        client.force_login(cast.attendee)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("events:event-detail", args=[cast.event.slug])).status_code == 200
        return len(captured)

    material_add(event=cast.event, kind="slides", title="One", upload=pdf(), acting_user=cast.staff)
    queries()  # the first request also fills the page's fragment cache
    one = queries()
    for number in range(5):
        material_add(
            event=cast.event, kind="slides", title=f"More {number}", upload=pdf(), acting_user=cast.staff
        )
    queries()
    assert queries() == one


def test_an_invitation_only_session_shares_its_materials_only_with_those_who_may_see_it(cast, client):
    material = share_slides(cast, client)
    Event.objects.filter(pk=cast.event.pk).update(audience=Event.Audience.INVITATION)
    # A member of the network who was not invited may not see the session, so not its materials.
    assert download_for(client, cast.member, material).status_code == 404
    assert "Slides: what we found" not in page_for(client, cast.lead, cast.event)
    assert download_for(client, cast.attendee, material).status_code == 200
