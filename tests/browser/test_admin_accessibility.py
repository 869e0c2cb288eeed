"""Every page of the staff administration area passes axe-core, and its lists work by keyboard.

Staff sign in through the portal's own sign-in page, where admin's sign-in page sends them. For
each registered model (one test per app) the tests check the list (plain, with a filter applied
and with a search), the add page and one change page (with a new row added to each of its
inlines), each also as it looks after saving it with an error; then the delete confirmation and
history pages of one object, the portal's own admin pages and the pages of the actions that ask
something before acting, posted from the list as staff would."""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Organisation, OrganisationRequest, User
from accounts.services import audit_record
from events.models import Event
from events.reminders import reminders_send_due_now_for_event
from events.services import registration_create
from mentoring.models import MentoringProgramme, Pairing
from networks.models import Membership, Network
from networks.services import invitation_create
from tests.helpers import assert_no_axe_violations, open_event_for

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_EMAIL = "networks@loti.london"
PASSWORD = "loti-demo-2026"

# Models whose change page has a required text field: saving it empty shows the errors.
CHANGE_ERRORS_EXPECTED = {
    "account.emailaddress",
    "auth.group",
    "accounts.organisation",
    "accounts.user",
    "events.event",
    "mentoring.focusarea",
    "mentoring.mentoringprogramme",
    "mentoring.peercircle",
    "networks.network",
    "newsletter.issue",
}

# As in test_keyboard.py: an outline, a box shadow or the focus colour shows where focus is. In
# the admin a checkbox shows focus itself, not on a drawn label.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return true;
  const style = getComputedStyle(el);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
      && style.outlineColor !== "rgba(0, 0, 0, 0)")
    || (style.boxShadow && style.boxShadow !== "none");
}"""


@pytest.fixture
def demo_data(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Rows the demo has none of, so that every list has one to filter and open: audit entries
    # (also shown in a network's history), an invitation, a registration's notification and a
    # session's reminders.
    staff = User.objects.get(email=STAFF_EMAIL)
    for network in Network.objects.order_by("pk")[:2]:
        audit_record(
            actor=staff, action="networks.network.changed", target=network, data={"fields": "summary"}
        )
    invitation_create(
        network=Network.objects.order_by("pk").first(), email="ada@camden.gov.uk", invited_by=staff
    )
    amara = User.objects.get(email="amara.okafor@camden.gov.uk")
    event = open_event_for(amara)
    registration_create(event=event, user=amara, answers={}, acting_user=amara)
    reminders_send_due_now_for_event(event=event, acting_user=staff)


@pytest.fixture
def staff_page(page, live_server, demo_data):
    """A browser signed in as staff through admin's sign-in address, which is the portal's own
    sign-in page (checked on the way)."""
    page.goto(live_server.url + reverse("admin:login"))
    page.wait_for_url("**/account/login/?next=%2Fadmin%2F")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert page.locator("#site-name").inner_text() == "LOTI Network Portal administration"
    return page


class Checker:
    """Opens admin pages and checks each with axe, counting them."""

    def __init__(self, page, base_url):
        self.page, self.base_url, self.checked = page, base_url, 0

    def visit(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, (
            f"{path} answered {response and response.status}"
        )
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state()
        assert_no_axe_violations(self.page)
        self.checked += 1

    def submit(self, button: str) -> None:
        """Press a form's submit button and check the page it leads to."""
        with self.page.expect_navigation():
            self.page.locator(f"#content input[type=submit][value='{button}']").first.click()
        self.check()

    def run_action(self, changelist: str, action: str, rows: int) -> None:
        """Tick the first rows of a list, choose the action and press Go, as staff do."""
        self.visit(changelist)
        boxes = self.page.locator("#result_list input.action-select")
        assert boxes.count() >= rows, f"{changelist} lists fewer than {rows} rows"
        for index in range(rows):
            boxes.nth(index).check()
        self.page.locator("select[name=action]").select_option(action)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Go", exact=True).click()
        self.check()


def admin_url(model, name: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def staff_request():
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(email=STAFF_EMAIL)
    return request


# One test per group of pages, so that each runs (and fails) on its own and they spread over
# parallel test processes.
ADMIN_APPS = sorted({model._meta.app_label for model in admin.site._registry})


def test_admin_index_and_app_pages_pass_axe(staff_page, live_server):
    checker = Checker(staff_page, live_server.url)
    checker.visit(reverse("admin:index"))
    for app_label in ADMIN_APPS:
        checker.visit(reverse("admin:app_list", args=[app_label]))
    assert checker.checked == len(ADMIN_APPS) + 1


@pytest.mark.parametrize("app_label", ADMIN_APPS)
def test_every_admin_page_of_each_model_passes_axe(staff_page, live_server, app_label):
    """Each model's list (plain, filtered, searched), add page and change page, with errors."""
    page, request = staff_page, staff_request()
    checker = Checker(page, live_server.url)
    change_errors = set()
    models = [
        (m, model_admin) for m, model_admin in admin.site._registry.items() if m._meta.app_label == app_label
    ]
    for model, model_admin in models:
        label = model._meta.label_lower
        changelist = admin_url(model, "changelist")
        checker.visit(changelist)
        if model_admin.list_filter:
            choices = page.locator("#changelist-filter li:not(.selected) a")
            assert choices.count(), f"{label}: the list shows no filter choices"
            checker.visit(changelist + choices.first.get_attribute("href"))
        if model_admin.search_fields:
            checker.visit(changelist + "?q=a")
            checker.visit(changelist + "?q=no-such-thing-anywhere")

        if model_admin.has_add_permission(request):
            checker.visit(admin_url(model, "add"))
            checker.submit("Save")  # nothing filled in: each required field shows its error
            assert page.locator(".errornote").is_visible(), f"{label}: an empty add form was saved"

        first = model_admin.get_queryset(request).order_by("pk").first()
        assert first is not None, f"{label}: the demo data has no row to open"
        checker.visit(admin_url(model, "change", first.pk))
        add_rows = page.locator(".inline-group .add-row a:visible")
        if add_rows.count():
            for index in range(add_rows.count()):
                add_rows.nth(index).click()
            checker.check()
        required = page.locator("#content-main form input[required]:is([type=text], [type=email])")
        if required.count() and page.locator("#content-main input[name=_save]").count():
            required.first.fill("")
            checker.submit("Save")
            assert page.locator(".errornote").is_visible(), f"{label}: an empty required field was saved"
            change_errors.add(label)
    assert change_errors == {label for label in CHANGE_ERRORS_EXPECTED if label.startswith(f"{app_label}.")}
    assert checker.checked >= 3 * len(models)


def test_admin_session_and_account_pages_pass_axe(staff_page, live_server):
    """A session with speakers (rows in its inline), one object's delete confirmation and
    history, a person's password page, and the list after a save, with its message."""
    page, request = staff_page, staff_request()
    checker = Checker(page, live_server.url)
    # A mentoring programme's shortlists, where staff confirm pairs.
    checker.visit(admin_url(MentoringProgramme, "shortlist", MentoringProgramme.objects.get().pk))
    assert page.get_by_role("button", name="Confirm chosen pairs").is_visible()
    # Re-pairing a mentee: the form, then its errors.
    pairing = Pairing.objects.filter(state=Pairing.State.ACTIVE).order_by("pk").first()
    checker.visit(reverse("admin:mentoring_pairing_re_pair", args=[pairing.pk]))
    checker.submit("End the pairing and ask the new mentor")
    assert page.get_by_text("Enter why the pairing is ending").is_visible()

    # Sessions outside any programme are one filter choice, named as such.
    checker.visit(admin_url(Event, "changelist"))
    with page.expect_navigation():
        page.locator("#changelist-filter").get_by_role("link", name="No programme").click()
    checker.check()
    assert "programme=" in page.url

    event = Event.objects.filter(speakers__isnull=False).order_by("pk").first()
    checker.visit(admin_url(Event, "change", event.pk))
    assert page.locator("#speakers-group input[name$='-name']").count()
    checker.visit(admin_url(Event, "delete", event.pk))
    checker.visit(admin_url(Event, "history", event.pk))
    unregistered = Event.objects.filter(registrations__isnull=True)
    checker.visit(admin_url(Event, "delete", unregistered.order_by("pk").first().pk))
    assert page.locator("input[type=submit][value='Yes, I’m sure']").is_visible()
    checker.visit(reverse("admin:auth_user_password_change", args=[request.user.pk]))
    checker.visit(reverse("admin:password_change"))
    checker.visit(admin_url(Organisation, "change", Organisation.objects.order_by("pk").first().pk))
    checker.submit("Save")
    assert page.locator(".messagelist .success").is_visible()


def test_the_portals_own_admin_pages_pass_axe(staff_page, live_server):
    """Members per network, pending applications, and a pending application with its decision
    buttons; a form opened from a "+" beside a choice, in its pop-up window."""
    page = staff_page
    checker = Checker(page, live_server.url)
    checker.visit(admin_url(Network, "changelist"))
    with page.expect_navigation():
        page.locator(".object-tools").get_by_role("link", name="Members per network and organisation").click()
    checker.check()
    checker.visit(admin_url(Network, "changelist"))
    with page.expect_navigation():
        page.locator(".object-tools").get_by_role("link", name="Pending applications").click()
    checker.check()
    pending = Membership.objects.filter(status=Membership.Status.PENDING).order_by("pk").first()
    assert pending is not None, "the demo data has no pending application"
    checker.visit(admin_url(Membership, "change", pending.pk))
    assert page.get_by_role("heading", name="Decide this application").is_visible()
    checker.visit(admin_url(Network, "add") + "?_to_field=id&_popup=1")


def test_admin_actions_that_ask_first_pass_axe(staff_page, live_server):
    """Actions that ask before acting, posted from their lists, then sent with nothing filled in."""
    page = staff_page
    checker = Checker(page, live_server.url)
    checker.run_action(reverse("admin:networks_pendingapplication_changelist"), "decline", rows=1)
    assert "Decline applications" in page.title()
    checker.run_action(admin_url(Membership, "changelist"), "decline", rows=2)
    assert page.get_by_text("will be left as it is").count()
    # Only spaces: the browser lets it through, the form does not.
    page.get_by_label("Reason (emailed to each applicant)").fill("   ")
    checker.submit("Decline and email the reason")
    assert page.locator(".errornote").is_visible()

    # An organisation request linked to another organisation, or rejected: each asks first.
    checker.run_action(admin_url(OrganisationRequest, "changelist"), "merge", rows=1)
    assert "Link to an existing organisation" in page.title()
    checker.submit("Link and email each person")  # no organisation chosen
    assert page.locator(".errornote").is_visible()
    checker.run_action(admin_url(OrganisationRequest, "changelist"), "reject", rows=1)
    assert "Reject organisation requests" in page.title()

    checker.run_action(admin_url(Event, "changelist"), "email_registrants", rows=2)
    assert "Email the registrants" in page.title()
    page.get_by_label("Subject").fill("   ")
    page.get_by_label("Message").fill("   ")
    checker.submit("Send the message")
    assert page.locator(".errornote").is_visible()

    # Deleting sessions that people registered for is refused, on a page that says why.
    checker.run_action(admin_url(Event, "changelist"), "delete_selected", rows=2)
    assert page.get_by_role("heading", name=re.compile("cannot be deleted")).is_visible()
    assert page.get_by_text("Nothing was deleted.").is_visible()


def test_admin_list_filters_and_actions_are_reached_by_keyboard(staff_page, live_server):
    page = staff_page
    page.goto(live_server.url + admin_url(Membership, "changelist"))
    reached_filter = reached_action = False
    # The filters come after a page of rows (up to 100, each a checkbox and a link).
    for _ in range(600):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_VISIBLE), "no visible focus on " + page.evaluate(
            "document.activeElement.outerHTML.slice(0, 120)"
        )
        reached_filter |= page.evaluate("document.activeElement.matches('#changelist-filter li a')")
        reached_action |= page.evaluate("document.activeElement.matches('select[name=action]')")
        if reached_filter and reached_action:
            break
    assert reached_filter, "Tab never reached the filter links"
    assert reached_action, "Tab never reached the action menu"

    # Choosing a filter by keyboard applies it.
    page.locator("#changelist-filter a", has_text="Application pending").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "status__exact=pending" in page.url


def test_autocomplete_is_named_after_its_field_and_still_chooses(staff_page, live_server):
    page = staff_page
    page.goto(live_server.url + admin_url(Membership, "add"))
    box = page.get_by_role("combobox", name="User:")
    box.click()
    page.keyboard.type("Amara")
    page.get_by_role("option", name="Amara Okafor").click()
    amara = User.objects.get(email="amara.okafor@camden.gov.uk")
    assert page.locator("select#id_user").input_value() == str(amara.pk)
    assert page.get_by_role("combobox", name="User: Amara Okafor").is_visible()
