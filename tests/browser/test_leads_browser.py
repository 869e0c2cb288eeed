"""In Chromium, on the demo data: the Data Leaders lead (Camden) manages the network from its page
and approves an application; staff read the engagement dashboard and download a table. Each page
passes axe-core at 1280 and 320 pixels wide, without scrolling sideways at 320."""

import csv
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation, User
from engagement.services import rollup_refresh
from events.models import Event, Registration
from networks.models import Membership
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 320)


@pytest.fixture
def demo_data(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in(page, base_url, email):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base_url + "/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("loti-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def check_at_each_width(page):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_axe_violations(page)
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, f"{page.url} scrolls sideways by {sideways}px at {width}px"


def test_the_data_leaders_lead_manages_the_network_and_approves_an_application(page, live_server, demo_data):
    sign_in(page, live_server.url, "amara.okafor@camden.gov.uk")
    page.goto(live_server.url + "/networks/data-leaders/")
    page.get_by_role("link", name="Manage this network").click()
    page.wait_for_url("**/networks/data-leaders/manage/")
    assert page.get_by_role("heading", level=1).inner_text() == "Manage this network"
    assert page.get_by_role("cell", name="Metropolitan Police").is_visible()
    assert "daniel.clarke@met.police.uk" not in page.content()
    check_at_each_width(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Approve Grace Mensah").click()
    page.wait_for_url("**/networks/data-leaders/manage/")
    assert page.get_by_text("Grace Mensah is now a member of Data Leaders").is_visible()
    assert page.get_by_role("cell", name="Waltham Forest").is_visible()
    check_at_each_width(page)
    grace = Membership.objects.get(
        user__email="grace.mensah@walthamforest.gov.uk", network__slug="data-leaders"
    )
    assert grace.is_active and grace.decided_by.email == "amara.okafor@camden.gov.uk"

    # Emailing the members: a blank form shows its errors, which pass axe too.
    page.get_by_role("link", name="Write to the members of Data Leaders").click()
    page.get_by_role("button", name="Send the message").click()
    page.locator(".govuk-error-summary").wait_for()
    check_at_each_width(page)


def test_staff_read_the_engagement_dashboard_and_download_attendance_by_borough(page, live_server, demo_data):
    # Last month's Data Leaders meeting, attended by Camden.
    camden = Organisation.objects.get(name="Camden")
    start = timezone.now().replace(microsecond=0) - timedelta(days=20)
    meeting = Event.objects.create(
        title="Data Leaders: last month",
        slug="data-leaders-last-month",
        kind=Event.Kind.NETWORK_MEETING,
        network_id=Membership.objects.filter(network__slug="data-leaders").values("network_id")[:1],
        start=start,
        end=start + timedelta(hours=1),
        status=Event.Status.PUBLISHED,
    )
    for person in User.objects.filter(organisation=camden):
        Registration.objects.create(event=meeting, user=person, status=Registration.Status.ATTENDED)
    rollup_refresh()

    sign_in(page, live_server.url, "networks@loti.london")
    page.get_by_role("link", name="Engagement").click()
    page.wait_for_url("**/engagement/")
    assert page.get_by_role("img", name="Attendance by borough: total attended in the period").is_visible()
    assert (
        page.get_by_role("table", name="Attendance by borough: the numbers")
        .get_by_text("Camden")
        .is_visible()
    )
    check_at_each_width(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Period", exact=True).select_option("6")
    page.get_by_role("button", name="Show the figures").click()
    page.wait_for_url("**/engagement/?*")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Attendance by borough” as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows[0][0] == "Borough" and rows[0][-1] == "Total" and len(rows[0]) == 8
    camden_row = next(row for row in rows[1:] if row[0] == "Camden")
    assert int(camden_row[-1]) >= 1 and len(rows) > 20  # the demo's year: most boroughs came
    check_at_each_width(page)


def test_camdens_organisation_lead_sees_camdens_people_and_confirms_a_colleague(page, live_server, demo_data):
    sign_in(page, live_server.url, "amara.okafor@camden.gov.uk")
    page.get_by_role("link", name="see your colleagues, confirm sign-ups and invite colleagues").click()
    page.wait_for_url("**/organisation/")
    assert page.get_by_role("heading", name="Alex Turner").is_visible()
    assert page.get_by_text("Data Leaders (lead)").first.is_visible()
    assert "tom.fisher@hackney.gov.uk" not in page.content() and "Tom Fisher" not in page.content()
    check_at_each_width(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Confirm Alex Turner works for Camden").click()
    page.wait_for_url("**/organisation/")
    assert page.get_by_text("Alex Turner is now linked to Camden").is_visible()
    assert User.objects.get(email="alex.turner@example.org").organisation.name == "Camden"
    check_at_each_width(page)
