"""After a session, on a phone: the event page with its materials, the feedback form (with its
errors), and staff's materials page; 320 px wide, no sideways scroll, axe finds nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events.models import Registration
from followup.models import FeedbackResponse
from followup.services import material_add
from networks.models import Membership
from tests.factories import (
    PASSWORD,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def held_session(settings, tmp_path):
    settings.MATERIALS_ROOT = tmp_path / "materials"
    start = timezone.now().replace(microsecond=0) - timedelta(days=1, hours=2)
    network = NetworkFactory(name="Data Leaders")
    event = EventFactory(
        title="Discovery findings: homelessness prevention and temporary accommodation data",
        slug="homelessness-findings",
        start=start,
        end=start + timedelta(hours=2),
        network=network,
    )
    staff = UserFactory(email="staff@loti.example", is_staff=True)
    material_add(
        event=event,
        kind="slides",
        title="Slides: what we found across eleven boroughs",
        upload=SimpleUploadedFile("findings-slides-final-version-for-circulation.pdf", b"%PDF-1.7\n%%EOF\n"),
        content_type="application/pdf",
        acting_user=staff,
    )
    material_add(
        event=event,
        kind="recording",
        title="Recording with captions",
        url="https://stream.example/recordings/homelessness-findings-session-with-captions",
        accessible=True,
        acting_user=staff,
    )
    attendee = UserFactory(full_name="Amara Okafor")
    RegistrationFactory(event=event, user=attendee, status=Registration.Status.ATTENDED)
    MembershipFactory(user=UserFactory(), network=network, role=Membership.Role.LEAD)
    return {"event": event, "attendee": attendee, "staff": staff}


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def test_an_attendee_opens_the_materials_and_gives_feedback_on_a_phone(page, live_server, held_session):
    event = held_session["event"]
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, held_session["attendee"])

    page.goto(f"{live_server.url}/events/{event.slug}/")
    page.get_by_role("heading", name="Materials from the session").wait_for()
    assert page.get_by_role("link", name="Slides: what we found across eleven boroughs").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Give feedback").click()
    page.wait_for_url(f"**/events/{event.slug}/feedback/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("There is a problem").wait_for()
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    assert_no_axe_violations(page)
    # The summary's link takes the keyboard to the first rating.
    page.get_by_role("link", name="Choose a rating from 1 to 5").click()
    assert page.evaluate("document.activeElement.id") == "id_rating_1"

    page.get_by_label("4 – Good").check()
    page.get_by_label("What worked well? (optional)").fill("The borough comparisons")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(f"**/events/{event.slug}/")
    page.get_by_text("Thank you for your feedback.").first.wait_for()
    assert_no_axe_violations(page)
    answer = FeedbackResponse.objects.get()
    assert (answer.rating, answer.what_worked) == (4, "The borough comparisons")


def test_staff_share_materials_on_a_phone(page, live_server, held_session):
    event = held_session["event"]
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, held_session["staff"])
    page.goto(f"{live_server.url}/events/{event.slug}/materials/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    assert_no_axe_violations(page)

    page.get_by_label("Document or handout").check()
    page.get_by_label("Title").fill("Findings report")
    page.get_by_label("File (for slides or a document)").set_input_files(
        {"name": "report.html", "mimeType": "text/html", "buffer": b"<p>not allowed</p>"}
    )
    page.get_by_role("button", name="Share").click()
    page.get_by_text("There is a problem").wait_for()
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    assert_no_axe_violations(page)
