"""An attendee of a training course downloads their certificate from the event page and from
"Your events"; someone checks its code on the public page. axe checks every page, at 320 px."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from events.models import Event, Registration
from tests.factories import PASSWORD, EventFactory, RegistrationFactory, UserFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_attendee_downloads_a_certificate_whose_code_verifies(page, live_server):
    start = timezone.now().replace(microsecond=0) - timedelta(days=2)
    course = EventFactory(
        title="Introduction to Data for senior leaders",
        slug="ons-course",
        kind=Event.Kind.TRAINING,
        start=start,
        end=start + timedelta(hours=3),
    )
    attendee = UserFactory(email="aisha@towerhamlets.gov.uk", full_name="Aisha Begum")
    RegistrationFactory(event=course, user=attendee, status=Registration.Status.ATTENDED)

    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill(attendee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")

    page.goto(f"{live_server.url}/events/{course.slug}/")
    download_button = page.get_by_role("button", name=re.compile(r"^Download your certificate"))
    assert download_button.is_visible()
    assert sideways_scroll(page) <= 0
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        download_button.click()
    text = "\n".join(part.extract_text() for part in PdfReader(download.value.path()).pages)
    assert "Aisha Begum" in text and "Introduction to Data for senior leaders" in text
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text).group(0)

    page.goto(f"{live_server.url}/events/mine/")
    assert page.get_by_role("link", name=re.compile(r"^Download your certificate")).is_visible()
    assert sideways_scroll(page) <= 0
    assert_no_axe_violations(page)

    # Someone the certificate is shown to, not signed in, types its code.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/certificates/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Check the code").click()
    page.get_by_text("There is a problem").wait_for()
    assert sideways_scroll(page) <= 0
    assert_no_axe_violations(page)
    page.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check the code").click()
    page.wait_for_url(f"**/certificates/{code}/")
    assert page.get_by_role("heading", name="This certificate is genuine").is_visible()
    assert page.get_by_text("Aisha Begum").is_visible()
    assert attendee.email not in page.content()
    assert sideways_scroll(page) <= 0
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/certificates/AAAA-BBBB-CCCC/")
    assert page.get_by_role("heading", name="No certificate has this code").is_visible()
    assert_no_axe_violations(page)
