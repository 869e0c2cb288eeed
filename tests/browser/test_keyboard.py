"""By keyboard alone: sign up, join a network, register for a session and cancel.

Only Tab, Shift+Tab, Enter and Space move around and act; text is typed into whichever field has
focus. Every element that takes focus must show it, and an invalid form moves focus to its error
summary. The one step that is not a key press is opening the emailed confirmation link.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from events.models import Question, Registration
from networks.models import Membership, Network
from tests.factories import EventFactory, NetworkFactory, OrganisationFactory, QuestionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-unusual-passphrase"

# What the focused element is called: its label, its own text, or its value (for buttons).
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return (label || el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
}"""

# Whether the focused element shows that it has focus: an outline, a box shadow or the focus
# colour; for a GOV.UK checkbox or radio, the ring drawn on its label.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return true;
  const shows = (style) =>
    (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
      && style.outlineColor !== "rgba(0, 0, 0, 0)")
    || (style.boxShadow && style.boxShadow !== "none")
    || style.backgroundColor === "rgb(255, 221, 0)";
  if (el.matches("input[type=checkbox], input[type=radio]")) {
    const label = el.labels && el.labels[0];
    return !!label && shows(getComputedStyle(label, "::before"));
  }
  return shows(getComputedStyle(el));
}"""


@pytest.fixture
def world(transactional_db):
    OrganisationFactory(name="Camden", domains=["camden.gov.uk"])
    NetworkFactory(
        name="Data Leaders",
        summary="Senior leaders who use data strategically.",
        join_policy=Network.JoinPolicy.APPROVAL,
        eligible_organisation_kinds=["borough"],
    )
    NetworkFactory(
        name="Data Scientists",
        summary="Data scientists and analysts learning to code.",
        join_policy=Network.JoinPolicy.OPEN,
        eligible_organisation_kinds=["borough"],
    )
    event = EventFactory(
        title="Introduction to Data",
        slug="introduction-to-data",
        start=timezone.now().replace(microsecond=0) + timedelta(days=10),
        capacity=20,
    )
    QuestionFactory(event=event, text="Your role", kind=Question.Kind.SHORT_TEXT, options="")
    return event


def focused(page) -> str:
    return page.evaluate(FOCUSED_NAME)


def press(page, key: str) -> None:
    page.keyboard.press(key)
    assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {focused(page)!r} after {key}"


def tab_to(page, name: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element called `name` has focus."""
    for _ in range(limit):
        press(page, "Shift+Tab" if backwards else "Tab")
        if focused(page).startswith(name):
            return
    raise AssertionError(f"could not reach {name!r} with the keyboard")


def activate(page, key: str = "Enter") -> None:
    """Press Enter or Space on the focused link or button, and wait for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def assert_error_summary_has_focus(page) -> None:
    page.wait_for_function("document.activeElement && document.activeElement.closest('.govuk-error-summary')")
    assert page.title().startswith("Error: ")


def test_sign_up_join_register_and_cancel_by_keyboard_alone(page, live_server, world):
    page.goto(live_server.url + "/")

    # Sign up: reach the link from the home page's navigation.
    tab_to(page, "Sign in")
    activate(page)
    tab_to(page, "Create an account")
    activate(page)
    page.wait_for_url("**/account/signup/")
    tab_to(page, "Full name")
    page.keyboard.type("Nadia Hussain")
    tab_to(page, "Email address")
    page.keyboard.type("nadia.hussain@camden.gov.uk")
    tab_to(page, "Create a password")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Confirm your password")
    page.keyboard.type("a different passphrase")
    tab_to(page, "Create account")
    activate(page)
    assert_error_summary_has_focus(page)
    # Fix the confirmation: back up to it with Shift+Tab from the button.
    tab_to(page, "Create account")
    tab_to(page, "Confirm your password", backwards=True)
    page.keyboard.type(PASSWORD)
    tab_to(page, "Create a password", backwards=True)
    page.keyboard.type(PASSWORD)
    tab_to(page, "Create account")
    activate(page)
    page.wait_for_url("**/account/confirm-email/")

    link = re.search(r"https?://\S+(/account/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(live_server.url + link)
    tab_to(page, "Confirm")
    activate(page)
    page.wait_for_url("**/networks/choose/")

    # Join Data Scientists from the chooser; sending it with nothing chosen shows the errors.
    tab_to(page, "Continue")
    activate(page, "Space")
    assert_error_summary_has_focus(page)
    tab_to(page, "Data Scientists")
    press(page, "Space")
    assert page.get_by_label("Data Scientists").is_checked()
    tab_to(page, "Continue")
    activate(page)
    page.wait_for_url("**/networks/yours/")
    nadia = User.objects.get(email="nadia.hussain@camden.gov.uk")
    assert Membership.objects.get(user=nadia, network__name="Data Scientists").status == "active"

    # Register for a session, answering its question; an empty answer first shows the errors.
    tab_to(page, "Events")
    activate(page)
    tab_to(page, "Introduction to Data")
    activate(page)
    tab_to(page, "Register")
    activate(page, "Space")
    tab_to(page, "Confirm registration")
    activate(page)
    assert_error_summary_has_focus(page)
    tab_to(page, "Your role")
    page.keyboard.type("Data analyst")
    tab_to(page, "Confirm registration")
    activate(page)
    page.wait_for_url("**/introduction-to-data/registered/")
    registration = Registration.objects.get(user=nadia, event__slug="introduction-to-data")
    assert registration.status == Registration.Status.CONFIRMED

    # Cancel it, from the confirmation page's link.
    tab_to(page, "Cancel your place")
    activate(page)
    tab_to(page, "Yes, cancel my place")
    activate(page, "Space")
    page.wait_for_url("**/events/mine/")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert not Registration.objects.filter(event__slug="introduction-to-data", status="confirmed").exists()
