"""Certificates of attendance: who may download one, what the PDF says (read back with a PDF
parser), the public page that confirms a code, and the data they leave."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.selectors import certificate_verified
from events.guest_links import registration_token
from events.models import Event, Registration
from events.services.guests import guest_registration_delete
from networks.models import Network
from privacy.services import account_delete, personal_data_export
from tests.factories import EventFactory, RegistrationFactory, UserFactory

Status = Registration.Status


@pytest.fixture
def network(db):
    return Network.objects.create(name="Data Leaders", slug="data-leaders", summary="For data leaders.")


@pytest.fixture
def course(db, network):
    """The ONS course, last week: 10:00 to 13:30."""
    start = (timezone.now() - timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    return EventFactory(
        title="Introduction to Python for analysts",
        slug="python-for-analysts",
        kind=Event.Kind.TRAINING,
        network=network,
        start=start,
        end=start + timedelta(hours=3, minutes=30),
    )


@pytest.fixture
def attended(course, member):
    return RegistrationFactory(event=course, user=member, status=Status.ATTENDED)


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def download_url(event) -> str:
    return reverse("certificates:certificate-download", args=[event.slug])


def test_attendee_downloads_a_certificate_that_says_who_what_when_and_how_long(client, course, attended):
    client.force_login(attended.user)
    response = client.get(download_url(course))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="certificate-python-for-analysts.pdf"'
    text = pdf_text(response)
    certificate = Certificate.objects.get(registration=attended)
    assert "Certificate of attendance" in text
    assert "Amara Member" in text
    assert "Introduction to Python for analysts" in text
    start = timezone.localtime(course.start)
    assert f"{start:%A} {start.day} {start:%B %Y}" in text
    assert "for 3.5 hours" in text
    assert "London Office of Technology and Innovation (LOTI), Data Leaders" in text
    assert certificate.code in text
    assert reverse("certificates:certificate-verified", args=[certificate.code]) in text.replace("\n", "")


def test_the_code_stays_the_same_however_often_it_is_downloaded(client, course, attended):
    client.force_login(attended.user)
    first = pdf_text(client.get(download_url(course)))
    second = pdf_text(client.get(download_url(course)))
    assert Certificate.objects.count() == 1
    code = Certificate.objects.get().code
    assert code in first and code in second


def test_codes_are_unguessable_and_differ_between_people(client, course, attended):
    other = RegistrationFactory(event=course, status=Status.ATTENDED)
    for registration in (attended, other):
        client.force_login(registration.user)
        assert client.get(download_url(course)).status_code == 200
    codes = list(Certificate.objects.values_list("code", flat=True))
    assert len(set(codes)) == 2
    for code in codes:
        assert len(code) == 14 and code.count("-") == 2
        assert not set(code.replace("-", "")) & set("ILOU")


@pytest.mark.skipif(
    not Path(settings.CERTIFICATE_FONT_DIR, "DejaVuSans.ttf").is_file() and not os.environ.get("CI"),
    reason="DejaVu Sans is not installed (Debian: fonts-dejavu-core); CI installs it",
)
def test_name_is_printed_as_the_person_spells_it(client, course, attended):
    attended.user.full_name = "Zoë Łukasiewicz-Ó Briain"
    attended.user.save()
    client.force_login(attended.user)
    assert "Zoë Łukasiewicz-Ó Briain" in pdf_text(client.get(download_url(course)))


@pytest.mark.parametrize(
    "status, reason",
    [
        (Status.NO_SHOW, "Certificates are for people who attended the session."),
        (Status.CONFIRMED, "Certificates are for people who attended the session."),
        (Status.CANCELLED, "Certificates are for people who attended the session."),
    ],
)
def test_people_who_did_not_attend_get_no_certificate(client, course, member, status, reason):
    RegistrationFactory(event=course, user=member, status=status)
    client.force_login(member)
    response = client.get(download_url(course))
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert not Certificate.objects.exists()


def test_no_certificate_when_staff_turned_them_off(client, course, attended):
    course.certificates_enabled = False
    course.save()
    client.force_login(attended.user)
    response = client.get(download_url(course))
    assert response.status_code == 403
    assert "This session does not give certificates." in response.content.decode()
    assert not Certificate.objects.exists()


def test_no_certificate_for_a_session_that_is_not_training(client, course, attended):
    course.kind = Event.Kind.DISCOVERY
    course.save()
    client.force_login(attended.user)
    assert client.get(download_url(course)).status_code == 403
    assert not Certificate.objects.exists()


def test_no_certificate_before_the_course_ends(client, course, attended, time_machine):
    time_machine.move_to(course.end - timedelta(minutes=10))
    client.force_login(attended.user)
    response = client.get(download_url(course))
    assert response.status_code == 403
    assert "ready when the session ends" in response.content.decode()


def test_only_the_attendee_downloads_their_certificate(client, course, attended, outsider, staff):
    """Another person (even staff) gets no certificate of someone else's: the download is always
    the signed-in person's own registration."""
    for person in (outsider, staff):
        client.force_login(person)
        response = client.get(download_url(course))
        assert response.status_code == 403
        assert "Amara Member" not in response.content.decode()
    assert not Certificate.objects.exists()


def test_signed_out_download_asks_to_sign_in(client, course, attended):
    response = client.get(download_url(course))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_wrong_method_is_refused(client, course, attended):
    client.force_login(attended.user)
    assert client.post(download_url(course)).status_code == 405


def test_event_page_and_your_events_offer_the_certificate(client, course, attended):
    client.force_login(attended.user)
    for url in (reverse("events:event-detail", args=[course.slug]), reverse("events:my-events")):
        page = client.get(url).content.decode()
        assert "Download your certificate" in page
        assert download_url(course) in page


def test_event_page_offers_no_certificate_to_a_no_show(client, course, member):
    RegistrationFactory(event=course, user=member, status=Status.NO_SHOW)
    client.force_login(member)
    for url in (reverse("events:event-detail", args=[course.slug]), reverse("events:my-events")):
        assert "Download your certificate" not in client.get(url).content.decode()


def test_your_events_stays_within_its_queries_with_certificates(
    client, member, network, django_assert_max_num_queries
):
    def past_course(n):
        start = timezone.now() - timedelta(days=10 + n)
        course = EventFactory(kind=Event.Kind.TRAINING, start=start, end=start + timedelta(hours=2))
        RegistrationFactory(event=course, user=member, status=Status.ATTENDED)

    client.force_login(member)
    past_course(0)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("events:my-events")).status_code == 200
    for n in range(1, 8):
        past_course(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("events:my-events")).content.decode()
    assert page.count("Download your certificate") == 8


# --- guests ---------------------------------------------------------------------------------


@pytest.fixture
def guest(course):
    course.audience = Event.Audience.PUBLIC
    course.save()
    return Registration.objects.create(
        event=course,
        user=None,
        guest_name="Priya Guest",
        guest_email="priya@gmail.com",
        status=Status.ATTENDED,
    )


def guest_download_url(registration, email="priya@gmail.com") -> str:
    token = registration_token(registration_id=registration.pk, email=email)
    return reverse("certificates:guest-certificate-download", args=[registration.event.slug, token])


def test_guest_downloads_a_certificate_with_the_name_they_gave(client, guest):
    response = client.get(guest_download_url(guest))
    assert response.status_code == 200
    assert "Priya Guest" in pdf_text(response)


def test_guests_ended_link_offers_their_certificate(client, guest):
    token = registration_token(registration_id=guest.pk, email="priya@gmail.com")
    page = client.get(reverse("events:guest-registration", args=[guest.event.slug, token]))
    assert page.status_code == 410
    # The certificate's link carries the guest's own link's token (not one signed a second later).
    download = reverse("certificates:guest-certificate-download", args=[guest.event.slug, token])
    assert download in page.content.decode()


def test_guest_link_with_another_address_or_tampered_gets_nothing(client, guest):
    assert client.get(guest_download_url(guest, email="someone@gmail.com")).status_code == 404
    tampered = reverse("certificates:guest-certificate-download", args=[guest.event.slug, "x.bad"])
    assert client.get(tampered).status_code == 404
    assert not Certificate.objects.exists()


def test_guest_no_show_gets_no_certificate(client, guest):
    guest.status = Status.NO_SHOW
    guest.save()
    assert client.get(guest_download_url(guest)).status_code == 403


# --- verification ---------------------------------------------------------------------------


@pytest.fixture
def certificate(client, course, attended):
    client.force_login(attended.user)
    client.get(download_url(course))
    client.logout()
    return Certificate.objects.get(registration=attended)


def test_public_page_confirms_a_code_with_minimal_details(client, certificate, course):
    response = client.get(reverse("certificates:certificate-verified", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is genuine" in page
    assert "Amara Member" in page
    assert "Introduction to Python for analysts" in page
    assert "3.5 hours" in page
    assert timezone.localtime(course.start).strftime("%B %Y") in page
    assert "amara@camden.gov.uk" not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_a_typed_code_is_found_whatever_its_case_and_spacing(client, certificate):
    typed = certificate.code.lower().replace("-", " ")
    response = client.get(reverse("certificates:certificate-check"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:certificate-verified", args=[certificate.code])
    assert client.get(response["Location"]).status_code == 200


def test_unknown_code_says_not_found(client, certificate):
    response = client.get(reverse("certificates:certificate-verified", args=["AAAA-BBBB-CCCC"]))
    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()
    nonsense = client.get(reverse("certificates:certificate-verified", args=["<script>"]))
    assert nonsense.status_code == 404


def test_check_form_shows_errors_by_the_field(client):
    for typed, message in (("", "Enter the verification code"), ("12", "Enter the code as it is printed")):
        response = client.get(reverse("certificates:certificate-check"), {"code": typed})
        assert response.status_code == 400
        page = response.content.decode()
        assert "There is a problem" in page and message in page
        assert 'href="#certificate-code"' in page
    assert client.get(reverse("certificates:certificate-check")).status_code == 200


def test_checking_many_codes_is_throttled(client, certificate):
    url = reverse("certificates:certificate-verified", args=["AAAA-BBBB-CCCC"])
    statuses = [client.get(url).status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429
    assert (
        client.get(reverse("certificates:certificate-verified", args=[certificate.code])).status_code == 429
    )


def test_a_code_stops_confirming_when_attendance_is_withdrawn(certificate):
    assert certificate_verified(code=certificate.code) is not None
    Registration.objects.filter(pk=certificate.registration_id).update(status=Status.NO_SHOW)
    assert certificate_verified(code=certificate.code) is None


# --- personal data --------------------------------------------------------------------------


def test_certificates_are_in_download_my_data(certificate, member):
    data = personal_data_export(user=member)
    assert data["certificates"] == [
        {
            "course": "Introduction to Python for analysts",
            "date": timezone.localtime(certificate.registration.event.start).date().isoformat(),
            "verification_code": certificate.code,
            "issued_at": certificate.issued_at,
        }
    ]


def test_deleting_the_account_deletes_its_certificates(certificate, member):
    account_delete(user=member)
    assert not Certificate.objects.exists()
    assert certificate_verified(code=certificate.code) is None
    # The attendance still counts, without the person.
    assert Registration.objects.filter(status=Status.ATTENDED, user=None).count() == 1


def test_a_guest_deleting_their_details_deletes_their_certificate(client, guest):
    client.get(guest_download_url(guest))
    code = Certificate.objects.get(registration=guest).code
    guest_registration_delete(registration=guest)
    assert certificate_verified(code=code) is None


def test_another_persons_data_export_has_no_certificates(certificate, outsider):
    assert personal_data_export(user=outsider)["certificates"] == []


def test_certificates_default_on_for_new_sessions(db):
    assert EventFactory(kind=Event.Kind.TRAINING).certificates_enabled is True
    assert UserFactory()  # a new person has no certificates
    assert not Certificate.objects.exists()
