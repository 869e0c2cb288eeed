"""A newcomer signs up with a council email in Chromium, confirms it and signs in.

Every page on the way is checked with axe-core.
"""

import re

import pytest
from django.core import mail

from tests.factories import OrganisationFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def camden(transactional_db):
    return OrganisationFactory(name="Camden", domains=["camden.gov.uk"])


def test_newcomer_signs_up_confirms_and_sees_borough(page, live_server, camden):
    page.goto(live_server.url + "/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Create an account").click()

    page.wait_for_url("**/account/signup/")
    assert_no_axe_violations(page)

    # Submitting an empty form shows the error summary, which takes focus, and axe still passes.
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error: ")
    assert_no_axe_violations(page)

    page.get_by_label("Full name").fill("Nadia Hussain")
    page.get_by_label("Work email address").fill("Nadia.Hussain@Camden.gov.uk")
    page.get_by_label("Job title").fill("Data Analyst")
    page.get_by_label("Create a password").fill("a-long-unusual-passphrase")
    page.get_by_label("Confirm your password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url("**/account/confirm-email/")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Send me a new link").click()
    page.wait_for_url("**/account/new-confirmation-link/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Send a new link").click()  # nothing entered: the error
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("nadia.hussain@camden.gov.uk")
    page.get_by_role("button", name="Send a new link").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_no_axe_violations(page)

    assert len(mail.outbox) == 2  # the first link, and the new one asked for
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(live_server.url + path)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Confirm").click()

    page.goto(live_server.url + "/account/")
    assert page.get_by_role("heading", name="Your account", exact=True).is_visible()
    organisation_row = page.locator(".govuk-summary-list__row", has_text="Organisation")
    assert "Camden" in organisation_row.inner_text()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Sign out").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Sign Out").click()

    page.goto(live_server.url + "/account/login/")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("nadia.hussain@camden.gov.uk")
    page.get_by_label("Password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    assert page.get_by_text("Nadia Hussain").first.is_visible()


def test_sign_in_page_works_by_keyboard_alone(page, live_server, transactional_db):
    from tests.factories import PASSWORD, UserFactory

    UserFactory(email="keyboard@camden.gov.uk", full_name="Kim Keys")
    page.goto(live_server.url + "/account/login/")
    # The skip link is the first thing the keyboard reaches.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    page.get_by_label("Email address").focus()
    page.keyboard.type("keyboard@camden.gov.uk")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/")
    assert page.get_by_text("Kim Keys").first.is_visible()


def test_sign_up_banners_fit_a_320_pixel_screen(page, live_server, transactional_db):
    """The "confirmation email sent" and "you have confirmed" banners quote the address, which
    must wrap rather than push the page wider than a small phone (WCAG 1.4.10)."""
    OrganisationFactory(name="Social Value Exchange", kind="supplier", domains=["socialvalueexchange.com"])
    address = "alexandra.featherstonehaugh-worthington@socialvalueexchange.com"
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/account/signup/")
    page.get_by_label("Full name").fill("Alexandra Featherstonehaugh")
    page.get_by_role("textbox", name=re.compile("email address", re.I)).fill(address)
    page.get_by_label("Job title").fill("Account manager")
    page.get_by_label("Create a password").fill("a-long-unusual-passphrase")
    page.get_by_label("Confirm your password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/confirm-email/")
    assert address in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert address in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
