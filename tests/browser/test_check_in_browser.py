"""Staff check people in on a phone: 320 px wide, no sideways scroll, axe finds nothing."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Registration
from tests.factories import PASSWORD, EventFactory, RegistrationFactory, UserFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_check_someone_in_on_a_phone(page, live_server):
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=20)
    event = EventFactory(
        title="Data Leaders away day", slug="away-day", start=start, end=start + timedelta(hours=3)
    )
    amara = RegistrationFactory(event=event, user=UserFactory(full_name="Amara Okafor"))
    for name in ("Ben Lewis", "Chloe Adeyemi-Worthington-Smythe", "Dev Patel"):
        RegistrationFactory(event=event, user=UserFactory(full_name=name))
    staff = UserFactory(email="staff@loti.example", is_staff=True)

    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")

    page.goto(f"{live_server.url}/events/{event.slug}/check-in/")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert_no_axe_violations(page)

    page.get_by_label("Search by name or email").fill("amara")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/check-in/?q=amara")
    assert page.get_by_role("heading", name="Ben Lewis").count() == 0
    # (GOV.UK's visually hidden text is set off by spaces, so the names read "Check in : Amara…")
    page.get_by_role("button", name=re.compile(r"^Check in\W+Amara Okafor$")).click()
    page.get_by_role("button", name=re.compile(r"^Undo check-in\W+Amara Okafor$")).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert_no_axe_violations(page)
    amara.refresh_from_db()
    assert amara.status == Registration.Status.ATTENDED


def test_staff_add_a_walk_in_without_an_account_on_a_phone(page, live_server):
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=20)
    event = EventFactory(title="Careers day", slug="careers-day", start=start, end=start + timedelta(hours=3))
    staff = UserFactory(email="staff@loti.example", is_staff=True)

    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")

    page.goto(f"{live_server.url}/events/{event.slug}/check-in/")
    page.get_by_role("button", name="Add and check in").click()
    page.get_by_text("There is a problem").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert_no_axe_violations(page)

    page.get_by_label("Their name").fill("Wendy Walk-in")
    page.get_by_role("button", name="Add and check in").click()
    page.get_by_role("button", name=re.compile(r"^Undo check-in\W+Wendy Walk-in \(guest\)$")).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert_no_axe_violations(page)
    walk_in = Registration.objects.get(event=event)
    assert (walk_in.guest_name, walk_in.status) == ("Wendy Walk-in", Registration.Status.ATTENDED)
