from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events.models import Event, Registration
from followup.links import guest_token
from networks.models import Membership
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, RegistrationFactory, UserFactory


@pytest.fixture(autouse=True)
def materials_root(settings, tmp_path):
    """Each test keeps its files in its own folder, never in var/."""
    settings.MATERIALS_ROOT = tmp_path / "materials"
    return settings.MATERIALS_ROOT


def pdf(name="slides.pdf", size=0):
    body = b"%PDF-1.7\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx(name="findings.docx"):
    return SimpleUploadedFile(name, b"PK\x03\x04" + b"word" * 50, content_type="application/octet-stream")


class Cast:
    """A session that ended yesterday, of a network, open to everyone, and one person in each role."""

    def __init__(self):
        start = timezone.now().replace(microsecond=0) - timedelta(days=1, hours=3)
        self.network = NetworkFactory(name="Data Leaders")
        self.other_network = NetworkFactory(name="Women's Digital Leaders")
        self.event = EventFactory(
            title="Discovery findings: temporary accommodation",
            slug="ta-findings",
            start=start,
            end=start + timedelta(hours=2),
            network=self.network,
            audience=Event.Audience.PUBLIC,
        )
        self.staff = UserFactory(email="staff@loti.london", full_name="Sam Staff", is_staff=True)
        self.member = UserFactory(email="mo@camden.gov.uk", full_name="Mo Member")
        MembershipFactory(user=self.member, network=self.network)
        self.lead = UserFactory(email="lee@camden.gov.uk", full_name="Lee Lead")
        MembershipFactory(user=self.lead, network=self.network, role=Membership.Role.LEAD)
        self.other_member = UserFactory(email="otto@hackney.gov.uk", full_name="Otto Other")
        MembershipFactory(user=self.other_member, network=self.other_network)
        self.attendee = UserFactory(email="ada@ons.gov.uk", full_name="Ada Attendee")
        self.attendance = RegistrationFactory(
            event=self.event, user=self.attendee, status=Registration.Status.ATTENDED
        )
        # Had a place but did not come: gets the materials (the recording is for them above all).
        self.missed_it = UserFactory(email="mia@lambeth.gov.uk", full_name="Mia Missed")
        RegistrationFactory(event=self.event, user=self.missed_it, status=Registration.Status.NO_SHOW)
        # Never had a place: waiting when the session happened.
        self.waiting = UserFactory(email="wes@lambeth.gov.uk", full_name="Wes Waiting")
        RegistrationFactory(
            event=self.event, user=self.waiting, status=Registration.Status.WAITLISTED, waitlist_position=1
        )
        self.signed_in = UserFactory(email="sid@islington.gov.uk", full_name="Sid Signed-in")
        self.guest = RegistrationFactory(
            event=self.event,
            user=None,
            guest_name="Gita Guest",
            guest_email="gita@example.org",
            status=Registration.Status.ATTENDED,
        )
        self.guest_token = guest_token(self.guest)


@pytest.fixture
def cast(db):
    return Cast()
