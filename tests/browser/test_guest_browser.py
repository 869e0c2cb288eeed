"""In Chromium: someone with a personal address registers for the careers day without an
account, confirms from the email, downloads the invitation and cancels from the emailed link.
axe checks every page at 1280 px and 320 px."""

import re

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command

from events.models import Event, Registration
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

CAREERS_DAY = "local-government-data-careers-day"


@pytest.fixture
def careers_day(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Event.objects.get(slug=CAREERS_DAY)


def check(page) -> None:
    """No axe violations at a desktop width and at 320 px, and nothing scrolls sideways."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.set_viewport_size({"width": 1280, "height": 900})


def link_from(message, part: str) -> str:
    return re.search(rf"https?://[^/\s]+(/\S*{part}\S*)", message.body).group(1)


def test_a_gmail_guest_registers_confirms_downloads_and_cancels(page, live_server, careers_day, tmp_path):
    page.goto(live_server.url + "/events/")
    assert page.get_by_role("heading", name="Open to everyone").is_visible()
    check(page)

    page.get_by_role("link", name=careers_day.title).first.click()
    page.wait_for_url(f"**/events/{CAREERS_DAY}/")
    assert page.get_by_text("you do not need an account").is_visible()
    assert page.locator('meta[property="og:title"]').get_attribute("content") == careers_day.title
    check(page)

    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"**/events/{CAREERS_DAY}/register-as-guest/")
    check(page)

    # Sent empty: every error by its field, in the summary, nothing sent.
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert page.get_by_role("link", name="Enter your full name").is_visible()
    assert page.get_by_role("link", name="Select an answer to “What do you do now?”").is_visible()
    check(page)
    assert mail.outbox == []

    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email address").fill("priya.shah.careers@gmail.com")
    page.get_by_label("Student").check()
    page.get_by_label("Data analyst").check()
    page.get_by_label("Data engineer").check()
    page.get_by_label("Access needs (optional)").fill("Step-free access, please")
    page.get_by_label("I agree to the privacy notice").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/register-as-guest/sent/")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    check(page)
    assert not Registration.objects.filter(event=careers_day, user__isnull=True).exists()

    confirm_email = mail.outbox[-1]
    assert confirm_email.to == ["priya.shah.careers@gmail.com"]
    page.goto(live_server.url + link_from(confirm_email, "/confirm/"))
    assert page.get_by_role("heading", name="Confirm your registration").is_visible()
    check(page)
    page.get_by_role("button", name="Confirm registration").click()
    page.wait_for_url("**/your-registration/**")
    assert page.get_by_text("You have a place").is_visible()
    assert page.get_by_text("Data analyst, Data engineer").is_visible()
    check(page)

    registration = Registration.objects.get(event=careers_day, guest_email="priya.shah.careers@gmail.com")
    assert registration.status == Registration.Status.CONFIRMED
    confirmation = mail.outbox[-1]
    assert "is confirmed" in confirmation.subject

    # The emailed "your registration" link is the way back.
    page.goto(live_server.url + link_from(confirmation, "/your-registration/"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the calendar invitation (.ics file)").click()
    calendar = icalendar.Calendar.from_ical(download.value.path().read_bytes())
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == careers_day.title
    assert "priya.shah.careers@gmail.com" in str(event["ATTENDEE"])

    page.get_by_role("button", name="Cancel your place").click()
    page.wait_for_url("**/your-registration/**")
    assert page.get_by_text("has been cancelled").is_visible()
    check(page)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
