import icalendar
import pytest

from networks.models import Network
from tests.factories import EventFactory, OrganisationFactory, UserFactory


@pytest.fixture
def event(db):
    return EventFactory(title="Digital inclusion discovery findings", slug="digital-inclusion-findings")


@pytest.fixture
def small_event(db):
    """Two places."""
    return EventFactory(title="Introduction to Data", slug="introduction-to-data", capacity=2)


@pytest.fixture
def police(db):
    return OrganisationFactory(name="Metropolitan Police", kind="partner", domains=["met.police.uk"])


@pytest.fixture
def partner(police):
    return UserFactory(email="daniel@met.police.uk", full_name="Daniel Partner", organisation=police)


@pytest.fixture
def network(db):
    return Network.objects.create(name="Data Leaders", slug="data-leaders", summary="For data leaders.")


def calendar_attachment(message) -> tuple[icalendar.Calendar, str]:
    """The one calendar file attached to an email, parsed, and its MIME type."""
    files = [file for file in message.attachments if file.mimetype.startswith("text/calendar")]
    assert len(files) == 1, f"expected one calendar file, got {len(files)}"
    content = files[0].content
    if isinstance(content, str):
        content = content.encode()
    return icalendar.Calendar.from_ical(content), files[0].mimetype


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]
