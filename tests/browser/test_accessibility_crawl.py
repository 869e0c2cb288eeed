"""Every page reachable from the home page passes axe-core, for each kind of visitor.

The crawl follows same-site links (not into Django admin, downloads or calendar feeds), checks
each page once per URL shape, and also submits each form that has required fields empty, to
check the page as it looks with its errors. Confirmation forms (no required fields) are never
submitted, so the crawl changes nothing.
"""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command

from tests.helpers import assert_no_axe_violations

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


def test_error_pages_pass_axe(page, live_server, demo_data):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert_no_axe_violations(page)


def test_pages_work_at_320_pixels_wide(page, live_server, demo_data):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ["/", "/account/signup/", "/account/login/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 320px by {overflow}px"
