"""In Chromium: a newcomer signs up, lands on the chooser, applies to an approval network and joins
an open one; then looks at the networks pages and leaves one. Staff approve the application in
admin and export the roster. Every portal page on the way is checked with axe-core; Django admin's
pages are not (its own filter sidebar fails the WCAG 2.2 target-size rule)."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core import mail

from networks.models import Membership, Network
from tests.factories import PASSWORD, NetworkFactory, OrganisationFactory, UserFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def networks(transactional_db):
    OrganisationFactory(name="Camden", domains=["camden.gov.uk"])
    leaders = NetworkFactory(
        name="Data Leaders",
        summary="Senior leaders who use data strategically.",
        join_policy=Network.JoinPolicy.APPROVAL,
        eligible_organisation_kinds=["borough", "partner"],
        asks_seniority=True,
        discussion_url="https://3.basecamp.com/loti/projects/data-leaders",
    )
    scientists = NetworkFactory(
        name="Data Scientists",
        summary="Data scientists and analysts learning to code.",
        join_policy=Network.JoinPolicy.OPEN,
        eligible_organisation_kinds=["borough", "partner"],
        discussion_url="https://3.basecamp.com/loti/projects/data-scientists",
    )
    return leaders, scientists


def sign_up_and_confirm(page, live_server):
    page.goto(live_server.url + "/account/signup/")
    page.get_by_label("Full name").fill("Nadia Hussain")
    page.get_by_label("Work email address").fill("nadia.hussain@camden.gov.uk")
    page.get_by_label("Job title").fill("Head of Data and Insight")
    page.get_by_label("Create a password").fill("a-long-unusual-passphrase")
    page.get_by_label("Confirm your password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/confirm-email/")
    link = re.search(r"https?://\S+(/account/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Confirm").click()


def test_newcomer_chooses_networks_after_sign_up_then_staff_approve(page, live_server, networks):
    leaders, scientists = networks
    sign_up_and_confirm(page, live_server)

    page.wait_for_url("**/networks/choose/")
    assert page.get_by_role("heading", level=1).inner_text() == "Choose networks to join"
    assert_no_axe_violations(page)

    # Choosing an approval network without answering its questions shows the errors.
    page.get_by_label("Data Leaders").check()
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").get_by_text("Tell us why you want to join").is_visible()
    assert_no_axe_violations(page)
    assert not Membership.objects.exists()

    page.get_by_label("Data Leaders").check()
    page.get_by_label("Data Scientists").check()
    assert page.get_by_label("Your job title").input_value() == "Head of Data and Insight"
    assert page.get_by_label("Your organisation").input_value() == "Camden"
    page.get_by_label("Why do you want to join the networks that review applications?").fill(
        "To learn how other boroughs wrote their data strategies."
    )
    page.get_by_label("Head of service or assistant director").check()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/networks/yours/")
    assert page.get_by_text("You have joined Data Scientists.").is_visible()
    rows = page.locator(".govuk-summary-list__row")
    assert "Application pending" in rows.filter(has_text="Data Leaders").inner_text()
    assert "Member" in rows.filter(has_text="Data Scientists").inner_text()
    assert_no_axe_violations(page)
    assert sorted(m.subject for m in mail.outbox[1:]) == [
        "New application to Data Leaders from Nadia Hussain",
        "We have received your application to join Data Leaders",
        "Welcome to Data Scientists",
    ]

    # The networks list and the network pages.
    page.get_by_role("link", name="Networks", exact=True).click()
    page.wait_for_url("**/networks/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Data Leaders").click()
    assert page.get_by_text("You have applied to join this network.").is_visible()
    assert page.get_by_role("link", name=re.compile("discussion space")).count() == 0
    assert_no_axe_violations(page)
    page.goto(live_server.url + f"/networks/{scientists.slug}/")
    assert page.get_by_role("link", name="Go to the Data Scientists discussion space").is_visible()
    assert_no_axe_violations(page)

    # Staff approve the application in admin and export the roster.
    staff_page = page.context.browser.new_page()
    UserFactory(email="sam@loti.london", full_name="Sam Staff", is_staff=True, is_superuser=True)
    staff_page.goto(live_server.url + "/admin/login/")
    staff_page.get_by_label("Email address").fill("sam@loti.london")
    staff_page.get_by_label("Password").fill(PASSWORD)
    staff_page.get_by_role("button", name="Sign in").click()
    staff_page.goto(live_server.url + "/admin/networks/pendingapplication/")
    staff_page.get_by_role("link", name="Nadia Hussain").click()
    staff_page.wait_for_url("**/change/")
    assert staff_page.get_by_text(
        "To learn how other boroughs wrote their data strategies.", exact=True
    ).is_visible()
    staff_page.get_by_role("button", name="Approve").click()
    staff_page.wait_for_url("**/admin/networks/pendingapplication/")
    assert staff_page.get_by_text("Approved 1 application(s)").is_visible()
    assert Membership.objects.get(network=leaders).is_active
    assert mail.outbox[-1].subject == "You are now a member of Data Leaders"
    assert mail.outbox[-1].to == ["nadia.hussain@camden.gov.uk"]

    staff_page.goto(live_server.url + f"/admin/networks/network/{leaders.pk}/change/")
    with staff_page.expect_download() as download:
        staff_page.get_by_role("link", name="Download the roster (CSV)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][:3] == ["Data Leaders", "Nadia Hussain", "nadia.hussain@camden.gov.uk"]
    staff_page.close()

    # Now a member, the newcomer sees the discussion link, and can leave with a confirmation.
    page.goto(live_server.url + f"/networks/{leaders.slug}/")
    assert page.get_by_role("link", name="Go to the Data Leaders discussion space").is_visible()
    page.get_by_role("link", name="Leave Data Leaders").click()
    page.wait_for_url("**/leave/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Yes, leave Data Leaders").click()
    page.wait_for_url("**/networks/yours/")
    assert page.get_by_text("You have left Data Leaders.").is_visible()
    assert_no_axe_violations(page)


def test_applying_to_one_network_from_its_page(page, live_server, networks):
    leaders, _ = networks
    camden = OrganisationFactory(name="Camden")
    UserFactory(email="priya@camden.gov.uk", full_name="Priya Shah", job_title="Analyst", organisation=camden)
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill("priya@camden.gov.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")

    page.goto(live_server.url + f"/networks/{leaders.slug}/")
    page.get_by_role("button", name="Apply to join Data Leaders").click()
    page.wait_for_url("**/apply/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Send application").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_no_axe_violations(page)
    # The summary's link for the radios takes the keyboard to the first one.
    page.locator(".govuk-error-summary").get_by_role("link", name="Choose how senior your role is").click()
    assert page.evaluate("document.activeElement.id") == "id_seniority_1"

    page.get_by_label("Why do you want to join Data Leaders?").fill("To meet other heads of data.")
    page.get_by_label("Senior manager").check()
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url(f"**/networks/{leaders.slug}/")
    assert page.get_by_text("Your application to join Data Leaders has been sent.").is_visible()
    assert_no_axe_violations(page)
    assert Membership.objects.get(network=leaders).is_pending
