"""A member joins an online session from "Join now" on the event page and in "Your events", and
shows as attended. axe checks the pages, at 320 px too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Registration
from tests.factories import PASSWORD, EventFactory, RegistrationFactory, UserFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def demo(live_server):
    """An online demo starting in ten minutes, whose meeting link (here, a page of the portal,
    as the browser has no network) is where joining leads."""
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=10)
    event = EventFactory(
        title="Social Value Exchange demo",
        slug="sve-demo",
        start=start,
        end=start + timedelta(hours=1),
        online_url=live_server.url + "/accessibility/",
    )
    member = UserFactory(email="nadia@camden.gov.uk", full_name="Nadia Hussain")
    registration = RegistrationFactory(event=event, user=member)
    return event, registration


def test_member_joins_from_the_event_page_and_shows_as_attended(page, live_server, demo):
    event, registration = demo
    sign_in(page, live_server, registration.user.email)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/events/{event.slug}/")
    join = page.get_by_role("button", name="Join now")
    assert join.is_visible()
    assert sideways_scroll(page) <= 0
    assert_no_axe_violations(page)

    join.click()
    page.wait_for_url("**/accessibility/")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ATTENDED
    assert registration.joined_at is not None


def test_member_joins_from_your_events(page, live_server, demo):
    _event, registration = demo
    sign_in(page, live_server, registration.user.email)
    page.goto(f"{live_server.url}/events/mine/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Join now").click()
    page.wait_for_url("**/accessibility/")
    page.goto(f"{live_server.url}/events/mine/")
    assert page.get_by_role("button", name="Join now").is_visible()
    assert page.get_by_text("Attended").first.is_visible()
    assert_no_axe_violations(page)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ATTENDED


def test_the_joining_address_before_its_window_passes_axe(page, live_server, demo):
    event, registration = demo
    type(event).objects.filter(pk=event.pk).update(
        start=event.start + timedelta(days=1), end=event.end + timedelta(days=1)
    )
    from events.joining import join_path

    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + join_path(registration))
    assert page.get_by_role("heading", name="Joining opens at", exact=False).is_visible()
    assert sideways_scroll(page) <= 0
    assert_no_axe_violations(page)


def test_a_waiting_person_accepts_an_offered_place_with_one_button(page, live_server):
    from events.services import registration_cancel

    event = EventFactory(
        title="ONS data visualisation course", slug="ons-course", capacity=1, waitlist_offer_hours=24
    )
    holder = RegistrationFactory(event=event)
    waiting = RegistrationFactory(
        event=event,
        user=UserFactory(email="sam@camden.gov.uk"),
        status=Registration.Status.WAITLISTED,
        waitlist_position=1,
    )
    registration_cancel(registration=holder, acting_user=None)
    sign_in(page, live_server, waiting.user.email)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/events/{event.slug}/")
    page.get_by_role("button", name="Accept or decline the place").click()
    page.wait_for_url("**/offer/")
    assert sideways_scroll(page) <= 0
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Accept the place").click()
    page.wait_for_url("**/registered/")
    assert_no_axe_violations(page)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_the_hybrid_registration_form_passes_axe(page, live_server):
    event = EventFactory(
        title="Census data course",
        slug="census-course",
        mode="hybrid",
        venue="City Hall",
        capacity=10,
        online_capacity=20,
    )
    member = UserFactory(email="lee@camden.gov.uk")
    sign_in(page, live_server, member.email)
    page.goto(f"{live_server.url}/events/{event.slug}/register/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Confirm registration").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_no_axe_violations(page)
    page.get_by_label("Online (20 places left)").check()
    page.get_by_role("button", name="Confirm registration").click()
    page.wait_for_url("**/registered/")
    assert page.get_by_role("link", name="your own joining address").is_visible()
    assert Registration.objects.get(user=member).mode == "online"
