"""In Chromium: a member reads and downloads their data, then deletes their account; the sessions
they went to keep their counts, and the person waiting for their place at a coming session gets it."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from events.models import Registration
from tests.factories import PASSWORD, EventFactory, OrganisationFactory, RegistrationFactory, UserFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member_with_history(transactional_db):
    camden = OrganisationFactory(name="Camden", domains=["camden.gov.uk"])
    nadia = UserFactory(email="nadia@camden.gov.uk", full_name="Nadia Hussain", organisation=camden)
    start = timezone.now() - timedelta(days=40)
    past = EventFactory(title="Data ethics workshop", start=start, end=start + timedelta(hours=2))
    RegistrationFactory(event=past, user=nadia, status=Registration.Status.ATTENDED)
    RegistrationFactory(event=past, status=Registration.Status.ATTENDED)
    RegistrationFactory(event=past, status=Registration.Status.NO_SHOW)
    full = EventFactory(title="Introduction to Data", capacity=1)
    RegistrationFactory(event=full, user=nadia)
    waiting = RegistrationFactory(
        event=full, user__full_name="Wes Waiting", status=Registration.Status.WAITLISTED, waitlist_position=1
    )
    return nadia, past, waiting


def test_a_member_downloads_then_deletes_their_data(page, live_server, member_with_history, tmp_path):
    nadia, past, waiting = member_with_history
    counts_before = sorted(past.registrations.values_list("status", flat=True))

    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill(nadia.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")

    page.get_by_role("link", name="Your data").click()
    page.wait_for_url("**/account/your-data/")
    assert page.get_by_role("heading", name="Data ethics workshop").is_visible()
    assert page.get_by_text("nadia@camden.gov.uk").first.is_visible()
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download your data (JSON file)").click()
    data = json.loads(download.value.path().read_text())
    assert data["profile"]["full_name"] == "Nadia Hussain"
    assert {r["event"] for r in data["registrations"]} == {"Data ethics workshop", "Introduction to Data"}

    page.get_by_role("link", name="delete your account").click()
    page.wait_for_url("**/account/delete/")
    assert_no_axe_violations(page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    # The error summary takes focus (checked without evaluating script text, which the page's
    # Content-Security-Policy forbids while it loads).
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_no_axe_violations(page)
    assert User.objects.filter(pk=nadia.pk).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/account/deleted/")
    assert page.get_by_role("heading", name="Your account has been deleted").is_visible()
    assert page.get_by_role("link", name="Sign in").is_visible()  # signed out
    assert_no_axe_violations(page)

    assert not User.objects.filter(email="nadia@camden.gov.uk").exists()
    assert sorted(past.registrations.values_list("status", flat=True)) == counts_before
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
