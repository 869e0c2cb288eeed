"""Every page reachable from the home page passes axe-core, for each kind of visitor.

The crawl follows same-site links (not into Django admin, downloads or calendar feeds), checks
each page once per URL shape, and also submits each form that has required fields empty, to
check the page as it looks with its errors. Confirmation forms (no required fields) are never
submitted, so the crawl changes nothing.
"""

import re
from urllib.parse import urljoin, urlparse

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.reminders import unsubscribe_token
from events.services import registration_create
from networks.models import Membership, Network
from networks.services import invitation_create
from tests.helpers import assert_no_axe_violations, open_event_for

pytestmark = pytest.mark.django_db(transaction=True)

SKIP_PREFIXES = ("/admin/", "/static/", "/healthz", "/benchmark/")
SKIP_SUFFIXES = (".ics", ".csv", ".json", ".svg", ".png")
SKIP_WORDS = ("feed", "download", "export", "unsubscribe")
MAX_PAGES = 60


def shape(path: str) -> str:
    """Pages that differ only in an id or slug are checked once."""
    return re.sub(r"/[^/]*\d[^/]*/", "/N/", path)


def crawl(page, base_url: str) -> list[str]:
    seen_shapes, visited, queue = set(), [], ["/"]
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if shape(path) in seen_shapes:
            continue
        seen_shapes.add(shape(path))
        response = page.goto(base_url + path)
        assert response is not None and response.status < 500, (
            f"{path} answered {response and response.status}"
        )
        if response.status >= 400:
            continue
        visited.append(path)
        assert_no_axe_violations(page)
        assert_fits_320_pixels(page, path)
        _check_form_errors(page, base_url + path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(urljoin(base_url + path, href))
            if target.netloc != urlparse(base_url).netloc:
                continue
            candidate = target.path
            if (
                candidate.startswith(SKIP_PREFIXES)
                or candidate.endswith(SKIP_SUFFIXES)
                or any(word in candidate for word in SKIP_WORDS)
                or candidate.rstrip("/").endswith("logout")
            ):
                continue
            if shape(candidate) not in seen_shapes:
                queue.append(candidate)
    return visited


def _check_form_errors(page, url: str) -> None:
    forms = page.locator("main form:has([required])")
    for index in range(forms.count()):
        page.goto(url)
        form = page.locator("main form:has([required])").nth(index)
        for field in form.locator(
            "input[required]:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea[required]"
        ).all():
            field.fill("")
        form.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_load_state()
        if page.locator(".govuk-error-summary").count():
            assert page.title().startswith("Error: "), (
                f"{url}: an invalid form's title must start with 'Error: '"
            )
            # The error summary takes focus so screen readers announce it.
            page.wait_for_function(
                "document.activeElement && document.activeElement.closest('.govuk-error-summary')"
            )
        assert_no_axe_violations(page)
        assert_fits_320_pixels(page, f"{url} with its errors")


def _sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def assert_fits_320_pixels(page, where: str) -> None:
    """The page as it is now, narrowed to 320 CSS pixels (WCAG 1.4.10 reflow), has no sideways
    scroll; the viewport is put back afterwards."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        overflow = _sideways_scroll(page)
    finally:
        page.set_viewport_size(viewport)
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at 320px wide"


@pytest.fixture
def demo_data(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in(page, base_url, email):
    page.goto(base_url + "/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("loti-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def test_anonymous_visitor_pages_pass_axe(page, live_server, demo_data):
    visited = crawl(page, live_server.url)
    assert {"/", "/accessibility/", "/privacy/", "/account/login/", "/account/signup/"} <= set(visited)


@pytest.mark.parametrize("email", ["amara.okafor@camden.gov.uk", "networks@loti.london"])
def test_signed_in_pages_pass_axe(page, live_server, demo_data, email):
    sign_in(page, live_server.url, email)
    visited = crawl(page, live_server.url)
    assert "/account/" in visited


def test_error_pages_pass_axe(page, live_server, demo_data, settings):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert_no_axe_violations(page)
    assert_fits_320_pixels(page, page.url)

    # A form sent without its security token (a page left open too long): the CSRF page.
    page.goto(live_server.url + "/account/login/")
    page.evaluate("document.querySelector('input[name=csrfmiddlewaretoken]').remove()")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    assert navigation.value.status == 403
    assert page.get_by_role("heading", level=1).is_visible()
    assert_no_axe_violations(page)
    assert_fits_320_pixels(page, page.url)

    # The 500, 403 and 400 pages, through the project's handlers (DEBUG is off in tests).
    settings.ROOT_URLCONF = "tests.browser.error_urls"
    for status in (500, 403, 400):
        response = page.goto(f"{live_server.url}/test-only/{status}/")
        assert response.status == status
        assert page.get_by_role("heading", level=1).is_visible()
        assert_no_axe_violations(page)
        assert_fits_320_pixels(page, page.url)


def test_pages_the_crawl_does_not_reach_pass_axe(page, live_server, demo_data):
    """Pages behind a registration, a token or an emailed link, and the page after deleting an
    account: the crawl cannot follow a link to them."""
    amara = User.objects.get(email="amara.okafor@camden.gov.uk")
    amara.show_name_to_attendees = True
    amara.save()
    staff = User.objects.get(email="networks@loti.london")
    event = open_event_for(amara)
    registration_create(event=event, user=amara, answers={}, acting_user=amara)
    not_hers = Network.objects.exclude(memberships__user=amara).filter(status=Network.Status.ACTIVE)
    invitation = invitation_create(network=not_hers[0], email=amara.email, invited_by=staff)
    someone_elses = invitation_create(network=not_hers[0], email="someone@camden.gov.uk", invited_by=staff)
    membership = Membership.objects.filter(user=amara, status=Membership.Status.ACTIVE).first()
    unsubscribe = unsubscribe_token(user_id=amara.pk, network_id=membership.network_id)
    secondary = EmailAddress.objects.create(user=amara, email="a.okafor@camden.gov.uk", verified=False)
    sign_in(page, live_server.url, amara.email)
    for path, status in [
        (f"/events/{event.slug}/", 200),
        (f"/events/{event.slug}/registered/", 200),
        (f"/events/{event.slug}/cancel/", 200),
        (f"/networks/invitations/{invitation.token}/", 200),
        (f"/networks/invitations/{someone_elses.token}/", 403),
        (f"/events/notifications/unsubscribe/{unsubscribe}/", 200),
        ("/events/notifications/unsubscribe/not-a-token/", 400),
        (f"/account/confirm-email/{EmailConfirmationHMAC(secondary).key}/", 200),
        ("/account/logout/", 200),
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == status, path
        assert_no_axe_violations(page)
        assert_fits_320_pixels(page, page.url)
    assert "Amara Okafor" in page.goto(f"{live_server.url}/events/{event.slug}/").text()

    page.goto(live_server.url + "/account/delete/")
    page.get_by_label("Your password").fill("loti-demo-2026")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/account/deleted/")
    assert_no_axe_violations(page)
    assert_fits_320_pixels(page, page.url)
    for path in ("/account/password/reset/done/", "/account/confirm-email/"):
        page.goto(live_server.url + path)
        assert_no_axe_violations(page)
        assert_fits_320_pixels(page, page.url)


def test_pages_work_at_320_pixels_wide(page, live_server, demo_data):
    page.set_viewport_size({"width": 320, "height": 640})
    event = Event.objects.filter(status=Event.Status.PUBLISHED, start__gt=timezone.now()).first()
    public = [
        "/",
        "/account/signup/",
        "/account/login/",
        "/networks/",
        "/networks/data-scientists/",
        "/events/",
        "/events/past/",
        f"/events/{event.slug}/",
        "/privacy/",
        "/accessibility/",
    ]
    signed_in = [
        "/account/",
        "/account/profile/edit/",
        "/account/your-data/",
        "/account/delete/",
        "/networks/yours/",
        "/networks/choose/",
        "/networks/womens-digital-leaders/apply/",
        "/events/mine/",
        "/events/notifications/",
        f"/events/{event.slug}/",
        f"/events/{event.slug}/register/",
    ]
    too_wide = []
    for path in public:
        page.goto(live_server.url + path)
        if (overflow := _sideways_scroll(page)) > 0:
            too_wide.append(f"{path} by {overflow}px")
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server.url, "amara.okafor@camden.gov.uk")
    page.set_viewport_size({"width": 320, "height": 640})
    for path in signed_in:
        page.goto(live_server.url + path)
        if (overflow := _sideways_scroll(page)) > 0:
            too_wide.append(f"{path} (signed in) by {overflow}px")
        # and with its errors shown, where it has a form
        if page.locator("main form button[type=submit]").count() and path.endswith(("/edit/", "/apply/")):
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
            if (overflow := _sideways_scroll(page)) > 0:
                too_wide.append(f"{path} with errors by {overflow}px")
    assert not too_wide, "Pages that scroll sideways at 320px: " + ", ".join(too_wide)
