"""A member registers for a session in Chromium, answering its role question, sees it in
"Your events" and cancels it through the confirmation step. axe checks every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, Registration
from tests.factories import (
    PASSWORD,
    EventFactory,
    OrganisationFactory,
    QuestionFactory,
    RegistrationFactory,
    SpeakerFactory,
    UserFactory,
)
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

DESCRIPTION = """\
People placed in temporary accommodation often struggle to get online.

## What we will cover

- where residents lose access to devices and data
- what hostels already do that works

Read the [discovery report](https://loti.london/) before the session.
"""


@pytest.fixture
def session(transactional_db):
    start = (timezone.now() + timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    event = EventFactory(
        title="Digital inclusion in temporary accommodation: discovery findings session",
        slug="ta-discovery-findings",
        summary="What we learned about getting online in temporary accommodation.",
        description=DESCRIPTION,
        programme="Digital Inclusion Innovation Programme",
        start=start,
        end=start + timedelta(hours=1, minutes=30),
        venue="City Hall, Kamal Chunchie Way, London E16 1ZE",
        capacity=30,
    )
    QuestionFactory(event=event, text="Your role", hint="So we can focus the discussion.")
    SpeakerFactory(event=event, name="Priya Shah", organisation="Redbridge", role="Senior Data Analyst")
    RegistrationFactory(event=event)
    EventFactory(title="Social Value Exchange demo", slug="sve-demo", audience=Event.Audience.BOROUGH_STAFF)
    EventFactory(title="Last year's careers day", start=timezone.now() - timedelta(days=200))
    return event


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def test_member_registers_sees_it_in_my_events_and_cancels(page, live_server, session):
    camden = OrganisationFactory(name="Camden", domains=["camden.gov.uk"])
    member = UserFactory(email="nadia@camden.gov.uk", full_name="Nadia Hussain", organisation=camden)
    sign_in(page, live_server, member.email)

    page.get_by_role("link", name="Events", exact=True).click()
    page.wait_for_url("**/events/")
    assert page.get_by_role("heading", name="Events", level=1).is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name=session.title, exact=True).click()
    page.wait_for_url(f"**/events/{session.slug}/")
    assert page.get_by_role("heading", name="What we will cover").is_visible()
    assert page.get_by_text("Priya Shah").is_visible()
    assert session.online_url not in page.content()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"**/events/{session.slug}/register/")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Confirm registration").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Select an answer to “Your role”").click()
    assert page.evaluate("document.activeElement.value") == "Temporary accommodation service lead"

    page.get_by_label("Hostel manager").check()
    page.get_by_role("button", name="Confirm registration").click()
    page.wait_for_url(f"**/events/{session.slug}/registered/")
    assert page.get_by_role("heading", name="You have a place").is_visible()
    assert page.get_by_text("Hostel manager").is_visible()
    assert page.get_by_role("link", name="your own joining address").is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="See your events").click()
    page.wait_for_url("**/events/mine/")
    assert page.get_by_role("link", name=session.title, exact=True).is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name=f"Cancel your place for {session.title}").click()
    page.wait_for_url(f"**/events/{session.slug}/cancel/")
    assert page.get_by_role("heading", name="Are you sure you want to cancel your place?").is_visible()
    assert_no_axe_violations(page)
    assert Registration.objects.get(user=member).status == "confirmed"

    page.get_by_role("button", name="Yes, cancel my place").click()
    page.wait_for_url("**/events/mine/")
    assert page.get_by_text(f"Your registration for {session.title} has been cancelled.").is_visible()
    assert page.get_by_role("link", name=session.title, exact=True).count() == 0
    assert_no_axe_violations(page)
    assert Registration.objects.get(user=member).status == "cancelled"

    page.get_by_role("button", name="Create your calendar address").click()
    page.wait_for_url("**/events/mine/#calendar")
    address = page.get_by_label("Your calendar address").input_value()
    assert "/events/calendar/" in address
    assert (
        page.get_by_role("link", name="Subscribe in your calendar app")
        .get_attribute("href")
        .startswith("webcal://")
    )
    assert_no_axe_violations(page)

    # The copy button is there because scripts run, and says what it did.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy your calendar address").click()
    page.get_by_role("status").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert_no_axe_violations(page)


def test_events_archive_and_a_refused_registration_pass_axe(page, live_server, session):
    police = OrganisationFactory(name="Metropolitan Police", kind="partner", domains=["met.police.uk"])
    partner = UserFactory(email="daniel@met.police.uk", full_name="Daniel Clarke", organisation=police)

    page.goto(live_server.url + "/events/past/")
    assert page.get_by_role("link", name="Last year's careers day").is_visible()
    assert_no_axe_violations(page)

    page.goto(live_server.url + "/events/?kind=party")
    assert page.title().startswith("Error: ")
    assert_no_axe_violations(page)

    sign_in(page, live_server, partner.email)
    page.goto(live_server.url + "/events/sve-demo/")
    assert page.get_by_text("Your account is linked to Metropolitan Police").is_visible()
    assert_no_axe_violations(page)

    page.goto(live_server.url + "/events/sve-demo/register/")
    assert page.get_by_role("heading", name="You cannot register for this event").is_visible()
    assert_no_axe_violations(page)
