"""A visitor subscribes from the footer in Chromium, confirms, gets an issue and unsubscribes
with one click. Every page on the way is checked with axe-core."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from newsletter.services import issue_schedule, issue_send
from tests.factories import UserFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def _path(pattern: str, body: str) -> str:
    return re.sub(r"^https?://[^/]+", "", re.search(pattern, body).group(0))


def test_visitor_subscribes_from_the_footer_confirms_and_unsubscribes(page, live_server):
    page.goto(live_server.url + "/")
    assert_no_axe_violations(page)
    footer = page.locator("footer")

    # Without ticking consent: the newsletter page shows the error by the field.
    footer.get_by_label("Your email").fill("rosa@example.org")
    footer.get_by_role("button", name="Subscribe").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert "Tick the box to agree" in page.locator(".govuk-error-summary").inner_text()
    assert_no_axe_violations(page)
    assert Subscriber.objects.count() == 0

    footer.get_by_label("Your email").fill("rosa@example.org")
    footer.get_by_label("Your name (optional)").fill("Rosa")
    footer.get_by_label("I agree to get the monthly newsletter").check()
    footer.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/newsletter/check-your-email/")
    assert_no_axe_violations(page)

    [confirmation] = mail.outbox
    page.goto(live_server.url + _path(r"https?://\S+/newsletter/confirm/\S+/", confirmation.body))
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Confirm subscription").click()
    page.get_by_role("heading", name="You are subscribed").wait_for()
    assert_no_axe_violations(page)
    assert Subscriber.objects.get().status == "subscribed"

    staff = UserFactory(email="editor@loti.london", is_staff=True)
    issue = Issue.objects.create(subject="December at LOTI", body="Hello **everyone**.")
    issue_schedule(issue=issue, send_at=timezone.now(), acting_user=staff)
    issue_send(issue_id=issue.pk)
    newsletter = mail.outbox[-1]
    assert newsletter.subject == "December at LOTI"

    page.goto(live_server.url + _path(r"https?://\S+/newsletter/unsubscribe/\S+/", newsletter.body))
    assert_no_axe_violations(page)
    assert Subscriber.objects.get().status == "subscribed"
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You have unsubscribed").wait_for()
    assert_no_axe_violations(page)
    assert Subscriber.objects.get().status == "unsubscribed"

    page.goto(live_server.url + "/newsletter/")
    page.get_by_role("link", name="December at LOTI").click()
    page.get_by_role("heading", name="December at LOTI").wait_for()
    assert_no_axe_violations(page)
