"""In Chromium: a Women's Digital Leaders member signs up to the mentoring programme as a mentee
through its task list, asks a mentor; the mentor accepts, and both log a check-in. Every page on
the way, and the sign-up page with its errors, is checked with axe-core."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from mentoring import services
from mentoring.models import FocusArea, MentoringProfile, MentoringProgramme, Pairing, PeerCircle
from networks.models import Network
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.helpers import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def programme(transactional_db):
    network = NetworkFactory(
        name="Women's Digital Leaders", slug="womens-digital-leaders", join_policy=Network.JoinPolicy.APPROVAL
    )
    leadership = FocusArea.objects.create(name="Leading teams")
    FocusArea.objects.create(name="Data strategy")
    programme = MentoringProgramme.objects.create(
        network=network,
        name="Women's Digital Leaders mentoring",
        slug="womens-digital-leaders-mentoring",
        is_open=True,
        starts_on=date(2026, 1, 1),
        ends_on=date(2028, 1, 1),
        matching_mode=MentoringProgramme.MatchingMode.REQUEST,
        code_of_conduct="Treat each other with respect.\n\nKeep what you hear in confidence.",
    )
    programme.focus_areas.set(FocusArea.objects.all())
    mentor = UserFactory(
        email="grace@walthamforest.gov.uk",
        full_name="Grace Mensah",
        job_title="Chief Digital Officer",
        organisation=OrganisationFactory(name="Waltham Forest"),
    )
    MembershipFactory(user=mentor, network=network)
    profile = services.profile_save_about(
        programme=programme,
        user=mentor,
        role="mentor",
        meeting_format="either",
        prefers_outside_organisation=False,
        capacity=2,
        about="I lead digital in Waltham Forest.",
        show_job_title=True,
        show_organisation=True,
    )
    services.profile_save_goals(profile=profile, focus_areas=[leadership], goals=["Help women lead teams"])
    services.profile_accept_code_of_conduct(profile=profile)
    mentee = UserFactory(
        email="ruth@lewisham.gov.uk", full_name="Ruth Osei", organisation=OrganisationFactory(name="Lewisham")
    )
    MembershipFactory(user=mentee, network=network)
    return programme, mentor, mentee


def sign_in(page, base_url, user, password=PASSWORD):
    page.goto(base_url + "/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def log_check_in(page, note):
    page.get_by_role("button", name="Log a check-in").click()
    page.wait_for_url("**/check-in/")
    assert_no_axe_violations(page)
    page.get_by_label("Date you met").fill(timezone.localdate().strftime("%d %m %Y"))
    page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Log check-in").click()
    page.get_by_text("Your check-in has been logged").wait_for()
    assert_no_axe_violations(page)


def test_a_mentee_signs_up_asks_a_mentor_who_accepts_and_both_log_a_check_in(
    page, browser, live_server, programme
):
    programme, mentor, mentee = programme
    base = live_server.url
    sign_in(page, base, mentee)

    page.goto(base + "/networks/womens-digital-leaders/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Women's Digital Leaders mentoring").click()
    page.wait_for_url("**/mentoring/womens-digital-leaders-mentoring/")
    assert page.get_by_text("You have completed 0 of 3 sections").is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="About you and how you would like to meet").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("There is a problem").wait_for()
    assert_no_axe_violations(page)
    page.get_by_label("Mentee: I would like a mentor").check()
    page.get_by_label("Online").check()
    page.get_by_label("I would prefer someone from outside my organisation").check()
    page.get_by_label("About you").fill("I am a data analyst who wants to lead.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/mentoring/womens-digital-leaders-mentoring/")

    page.get_by_role("link", name="Your focus areas and goals").click()
    assert_no_axe_violations(page)
    page.get_by_label("Leading teams").check()
    page.get_by_label("Goal 1").fill("Lead a data team within two years")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/mentoring/womens-digital-leaders-mentoring/")

    page.get_by_role("link", name="Agree to the code of conduct").click()
    assert page.get_by_text("Keep what you hear in confidence.").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("I have read the code of conduct and agree to follow it").check()
    page.get_by_role("button", name="Agree and continue").click()
    page.get_by_text("You have signed up to Women's Digital Leaders mentoring").wait_for()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Choose mentors to ask").click()
    assert page.get_by_role("link", name="Grace Mensah").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("First choice").select_option(label="Grace Mensah")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/mentoring/yours/")
    assert page.get_by_text("you asked, in this order: Grace Mensah").is_visible()
    assert_no_axe_violations(page)
    assert MentoringProfile.objects.get(user=mentee).is_complete

    mentor_page = browser.new_page()
    sign_in(mentor_page, base, mentor)
    mentor_page.goto(base + "/mentoring/yours/")
    mentor_page.get_by_role("link", name="Mentoring Ruth Osei").click()
    assert mentor_page.get_by_text("Ruth Osei would like you to be their mentor").is_visible()
    assert_no_axe_violations(mentor_page)
    mentor_page.get_by_role("button", name="Accept").click()
    mentor_page.get_by_text("You are now Ruth Osei's mentor").wait_for()
    assert_no_axe_violations(mentor_page)
    log_check_in(mentor_page, "Agreed to meet on the first Monday of each month.")
    assert_no_axe_violations(mentor_page)

    page.goto(base + "/mentoring/yours/")
    page.get_by_role("link", name="Mentored by Grace Mensah").click()
    assert page.get_by_text("Agreed to meet on the first Monday of each month.").is_visible()
    log_check_in(page, "Talked about my first steps into leading a team.")
    page.get_by_label("A good fit", exact=True).check()
    page.get_by_role("button", name="Save answer").click()
    page.get_by_text("Thank you for telling us how the pairing is going").wait_for()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Change agreed goals").click()
    page.wait_for_url("**/goals/")
    assert_no_axe_violations(page)
    page.get_by_label("What you agreed to work on").fill("")
    page.get_by_role("button", name="Save goals").click()
    page.get_by_text("There is a problem").wait_for()
    assert_no_axe_violations(page)
    page.get_by_label("What you agreed to work on").fill("Lead the team's next data project")
    page.get_by_role("button", name="Save goals").click()
    page.get_by_text("Your agreed goals have been saved").wait_for()
    assert page.get_by_text("Last changed by you").is_visible()
    mentor_page.reload()
    assert mentor_page.get_by_text("Lead the team's next data project").is_visible()

    pairing = Pairing.objects.get()
    assert pairing.state == Pairing.State.ACTIVE
    assert pairing.check_ins.count() == 2
    mentor_page.close()


def test_mentoring_and_circle_pages_work_at_320_pixels_wide(page, live_server, transactional_db):
    """The demo's mentor (in a pairing and a circle): no page scrolls sideways on a small phone."""
    call_command("load_demo", stdout=io.StringIO())
    grace = User.objects.get(email="grace.mensah@walthamforest.gov.uk")
    pairing = Pairing.objects.filter(mentor=grace, state=Pairing.State.ACTIVE).first()
    circle = PeerCircle.objects.get(memberships__user=grace)
    programme = MentoringProgramme.objects.get()
    mentor = MentoringProfile.objects.filter(programme=programme, role="mentor").exclude(user=grace).first()
    sign_in(page, live_server.url, grace, password="loti-demo-2026")
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = []
    for path in [
        "/networks/womens-digital-leaders/",
        "/networks/yours/",
        "/mentoring/yours/",
        f"/mentoring/{programme.slug}/",
        f"/mentoring/{programme.slug}/sign-up/about-you/",
        f"/mentoring/{programme.slug}/sign-up/goals/",
        f"/mentoring/{programme.slug}/profiles/{mentor.pk}/",
        f"/mentoring/pairings/{pairing.pk}/",
        f"/mentoring/pairings/{pairing.pk}/check-in/",
        f"/mentoring/pairings/{pairing.pk}/goals/",
        f"/mentoring/circles/{circle.slug}/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide.append(f"{path} by {overflow}px")
    assert not too_wide, "Pages that scroll sideways at 320px: " + ", ".join(too_wide)
    assert_no_axe_violations(page)
