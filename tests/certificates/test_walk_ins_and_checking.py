"""Guests added at the door by name get their certificate like other guests (by a link signed as
their "your registration" link is), and every place a certificate is offered says where anyone
checks its code."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from events.guest_links import registration_token
from events.models import Event
from events.services.guests import guest_walk_in_add
from followup.links import guest_token
from followup.services import FEEDBACK_REQUEST
from followup.tasks import feedback_requests_send
from loti_portal.utils import LONDON, absolute_url
from outbox.models import Email
from outbox.services import emails_send
from tests.factories import EventFactory, RegistrationFactory

from .test_certificates import pdf_text

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 14, 0, tzinfo=LONDON)
END = START + timedelta(hours=2)
DURING = START + timedelta(minutes=10)
NEXT_DAY = datetime(2026, 3, 11, 9, 20, tzinfo=LONDON)
CHECK_PAGE = reverse("certificates:certificate-check")


@pytest.fixture
def course(db):
    with time_machine.travel(START - timedelta(days=7), tick=False):
        return EventFactory(
            title="ONS course: data visualisation",
            slug="ons-data-vis",
            kind=Event.Kind.TRAINING,
            start=START,
            end=END,
            audience=Event.Audience.PUBLIC,
        )


@pytest.fixture
def walk_in(course, staff):
    with time_machine.travel(DURING, tick=False):
        return guest_walk_in_add(
            event=course, full_name="Wale Walk-in", email="Wale@Example.org", acting_user=staff
        )


def certificate_path(registration, *, at=NEXT_DAY) -> str:
    """The guest's download as signed at that moment (signatures carry their time)."""
    with time_machine.travel(at, tick=False):
        token = registration_token(registration_id=registration.pk, email=registration.guest_email)
    return reverse("certificates:guest-certificate-download", args=[registration.event.slug, token])


def feedback_requests_sent(mailoutbox) -> dict:
    with time_machine.travel(NEXT_DAY, tick=False):
        feedback_requests_send()
        emails_send(email_ids=list(Email.objects.filter(kind=FEEDBACK_REQUEST).values_list("pk", flat=True)))
    return {message.to[0]: message for message in mailoutbox}


def test_a_walk_in_guest_is_emailed_their_certificate_link_and_it_downloads_their_certificate(
    walk_in, mailoutbox
):
    message = feedback_requests_sent(mailoutbox)["wale@example.org"]
    link = absolute_url(certificate_path(walk_in))
    assert f"Your certificate of attendance (PDF): {link}" in message.body
    assert f"check its code at {absolute_url(CHECK_PAGE)}" in message.body
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html and f'href="{absolute_url(CHECK_PAGE)}"' in html

    with time_machine.travel(NEXT_DAY, tick=False):
        response = Client().get(certificate_path(walk_in))
    assert response.status_code == 200
    assert "Wale Walk-in" in pdf_text(response)


def test_a_member_who_attended_is_emailed_the_link_to_their_own_download(course, member, mailoutbox):
    RegistrationFactory(event=course, user=member, status="attended")
    message = feedback_requests_sent(mailoutbox)[member.email]
    download = absolute_url(reverse("certificates:certificate-download", args=[course.slug]))
    assert f"Your certificate of attendance (PDF): {download}" in message.body


def test_a_session_without_certificates_emails_no_certificate_link(course, walk_in, mailoutbox):
    Event.objects.filter(pk=course.pk).update(certificates_enabled=False)
    message = feedback_requests_sent(mailoutbox)["wale@example.org"]
    assert "certificate" not in message.body.lower()


def test_a_walk_in_guests_feedback_page_offers_their_certificate_before_and_after_it_closes(walk_in):
    page = reverse("followup:guest-feedback", args=[walk_in.event.slug, guest_token(walk_in)])
    for moment in (NEXT_DAY, END + timedelta(days=30)):
        with time_machine.travel(moment, tick=False):
            response = Client().get(page)
        assert response.status_code in (200, 403)
        html = response.content.decode()
        assert f'href="{certificate_path(walk_in, at=moment)}"' in html
        assert f'href="{CHECK_PAGE}"' in html


def test_a_walk_in_guest_who_gave_no_email_has_no_link_to_be_sent(course, staff, mailoutbox):
    with time_machine.travel(DURING, tick=False):
        guest_walk_in_add(event=course, full_name="Nia No-email", email="", acting_user=staff)
    assert feedback_requests_sent(mailoutbox) == {}


def test_the_certificate_names_the_page_where_anyone_checks_a_code(course, member):
    RegistrationFactory(event=course, user=member, status="attended")
    client = Client()
    client.force_login(member)
    with time_machine.travel(NEXT_DAY, tick=False):
        text = pdf_text(client.get(reverse("certificates:certificate-download", args=[course.slug])))
    assert f"or enter the code at {absolute_url(CHECK_PAGE)}" in " ".join(text.split())


def test_the_pages_offering_a_certificate_link_the_check_page(course, member):
    RegistrationFactory(event=course, user=member, status="attended")
    client = Client()
    client.force_login(member)
    with time_machine.travel(NEXT_DAY, tick=False):
        for url in (reverse("events:event-detail", args=[course.slug]), reverse("events:my-events")):
            html = client.get(url).content.decode()
            assert "Download your certificate" in html
            assert f'href="{CHECK_PAGE}"' in html, url
