from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from networks import selectors
from networks.models import Membership
from outbox.models import Email
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.networks.pages import apply_data, html_of, url

# --- the networks list ----------------------------------------------------------------------


def test_list_shows_each_active_network_with_its_facts(client, open_network, approval_network):
    NetworkFactory(name="Retired network", status="archived")
    MembershipFactory.create_batch(3, network=open_network)
    MembershipFactory(network=open_network, status="pending")
    start = timezone.now() + timedelta(days=9)
    Event.objects.create(
        title="Data Scientists meeting",
        slug="ds-meeting",
        kind=Event.Kind.NETWORK_MEETING,
        network=open_network,
        start=start,
        end=start + timedelta(hours=1),
        status="published",
    )
    response = client.get(url("network-list"))
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Networks – LOTI Network Portal</title>" in html
    assert "Data Scientists" in html and "Data Leaders" in html
    assert "Retired network" not in html
    assert "Meets monthly" in html
    assert timezone.localtime(start).strftime("%-d %B %Y") in html
    assert response.context["networks"][1].member_count == 3  # pending applicants are not counted
    assert "Sign in</a> or" in html


def test_list_shows_the_signed_in_persons_own_status(client, member, open_network, approval_network):
    MembershipFactory(user=member, network=approval_network, status="pending")
    client.force_login(member)
    html = html_of(client.get(url("network-list")))
    assert "Application pending" in html
    assert "govuk-tag--green" not in html


def test_list_refuses_other_methods(client, db):
    assert client.post(url("network-list")).status_code == 405


# --- a network's page -----------------------------------------------------------------------


def test_network_page_shows_description_audience_meetings_and_leads(client, member, open_network):
    open_network.description = "## Our work\n\nWe **share** code. <script>alert(1)</script>"
    open_network.save()
    lead = MembershipFactory(network=open_network, role="lead", user__full_name="Lena Lead")
    MembershipFactory(network=open_network, role="co_chair", user__full_name="Ada Co-chair")
    start = timezone.now() + timedelta(days=3)
    Event.objects.create(
        title="Show and tell",
        slug="show-and-tell",
        network=open_network,
        start=start,
        end=start + timedelta(hours=1),
        status="published",
    )
    Event.objects.create(
        title="Draft meeting", slug="draft", network=open_network, start=start, end=start + timedelta(hours=1)
    )
    client.force_login(member)
    response = client.get(url("network-detail", open_network))
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Data Scientists – LOTI Network Portal</title>" in html
    assert html.count("<h1") == 1
    assert '<h2 class="govuk-heading-m">Our work</h2>' in html
    assert "<strong>share</strong>" in html
    assert "<script>alert" not in html
    assert open_network.audience in html
    assert "Show and tell" in html and "Draft meeting" not in html
    assert html.index("Lena Lead") < html.index("Ada Co-chair")  # leads first
    assert lead.user.email not in html
    assert "Join Data Scientists" in html


@pytest.mark.parametrize(
    ("who", "sees_link"),
    [("anonymous", False), ("outsider", False), ("applicant", False), ("member", True), ("staff", True)],
)
def test_only_members_and_staff_see_the_discussion_link(client, request, approval_network, who, sees_link):
    if who == "applicant":
        person = request.getfixturevalue("member")
        MembershipFactory(user=person, network=approval_network, status="pending")
    elif who == "member":
        person = request.getfixturevalue("member")
        MembershipFactory(user=person, network=approval_network)
    elif who != "anonymous":
        person = request.getfixturevalue(who)
    if who != "anonymous":
        client.force_login(person)
    response = client.get(url("network-detail", approval_network))
    assert response.status_code == 200
    assert (approval_network.discussion_url in html_of(response)) is sees_link


def test_nobody_sees_other_peoples_email_addresses_on_network_pages(client, outsider, open_network):
    members = MembershipFactory.create_batch(3, network=open_network, role="lead")
    client.force_login(outsider)
    for page in (url("network-list"), url("network-detail", open_network)):
        html = html_of(client.get(page))
        assert not any(m.user.email in html for m in members)


def test_unknown_and_archived_networks_are_not_found_except_archived_for_staff(client, member, staff):
    archived = NetworkFactory(name="Retired network", status="archived")
    client.force_login(member)
    assert client.get(reverse("networks:network-detail", args=["no-such-network"])).status_code == 404
    assert client.get(url("network-detail", archived)).status_code == 404
    client.force_login(staff)
    assert client.get(url("network-detail", archived)).status_code == 200


def test_network_page_refuses_other_methods(client, open_network):
    assert client.post(url("network-detail", open_network)).status_code == 405


def test_network_page_explains_why_someone_cannot_join(client, open_network, invitation_network):
    person = UserFactory(email="sam@acme.example", organisation=OrganisationFactory(kind="supplier"))
    client.force_login(person)
    assert "so people from" in html_of(client.get(url("network-detail", open_network)))
    assert "by invitation only" in html_of(client.get(url("network-detail", invitation_network)))


# --- applying -------------------------------------------------------------------------------


def test_application_form_asks_the_questions_prefilled(client, member, approval_network):
    member.job_title = "Head of Data and Insight"
    member.save()
    client.force_login(member)
    response = client.get(url("network-apply", approval_network))
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Apply to join Data Leaders – LOTI Network Portal</title>" in html
    assert 'value="Head of Data and Insight"' in html
    assert 'value="Camden"' in html
    assert "How senior is your role?" in html
    assert 'class="govuk-radios__input"' in html


def test_applying_creates_a_pending_application_and_emails(
    client, member, approval_network, on_commit, mailoutbox, settings
):
    client.force_login(member)
    with on_commit():
        response = client.post(url("network-apply", approval_network), apply_data(), follow=True)
    assert response.redirect_chain == [(url("network-detail", approval_network), 302)]
    assert "Your application to join Data Leaders has been sent." in html_of(response)
    membership = Membership.objects.get(user=member)
    assert membership.is_pending
    assert membership.answers == apply_data()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, settings.STAFF_NOTIFICATION_EMAIL])
    assert approval_network.discussion_url not in html_of(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "   ", "Tell us why you want to join"),
        ("job_title", "", "Enter your job title"),
        ("organisation", " ", "Enter your organisation"),
        ("seniority", "", "Choose how senior your role is"),
        ("seniority", "emperor", "Select a valid choice"),
        ("reason", "x" * 2001, "2,000 characters or fewer"),
    ],
)
def test_bad_application_input_is_shown_and_nothing_is_stored(
    client, member, approval_network, mailoutbox, field, value, message
):
    client.force_login(member)
    response = client.post(url("network-apply", approval_network), apply_data(**{field: value}))
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Error: Apply to join Data Leaders" in html
    assert "govuk-error-summary" in html
    assert message in html
    assert not Membership.objects.exists()
    assert not Email.objects.exists()


def test_an_empty_application_shows_every_error(client, member, approval_network):
    client.force_login(member)
    response = client.post(url("network-apply", approval_network), {"job_title": "", "organisation": ""})
    assert response.status_code == 200
    html = html_of(response)
    for message in ("Enter your job title", "Enter your organisation", "Tell us why", "Choose how senior"):
        assert message in html
    assert not Membership.objects.exists()


def test_the_error_summary_links_to_the_first_radio(client, member, approval_network):
    client.force_login(member)
    response = client.post(url("network-apply", approval_network), apply_data(seniority=""))
    assert 'href="#id_seniority_1"' in html_of(response)
    assert 'id="id_seniority_1"' in html_of(response)


def test_a_network_that_does_not_ask_seniority_has_no_such_question(client, member, approval_network):
    approval_network.asks_seniority = False
    approval_network.save()
    client.force_login(member)
    assert "How senior" not in html_of(client.get(url("network-apply", approval_network)))
    client.post(url("network-apply", approval_network), apply_data(seniority=""))
    assert "seniority" not in Membership.objects.get().answers


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("open", "Data Scientists is open: you can join it straight away"),
        ("member", "You are already a member of Data Leaders."),
        ("pending", "You have already applied to join Data Leaders."),
    ],
)
def test_the_application_form_sends_people_who_cannot_apply_back_with_a_reason(
    client, member, open_network, approval_network, situation, message
):
    network = open_network if situation == "open" else approval_network
    if situation != "open":
        MembershipFactory(
            user=member, network=approval_network, status="active" if situation == "member" else situation
        )
    client.force_login(member)
    for method in (client.get, client.post):
        response = method(url("network-apply", network), apply_data(), follow=True)
        assert response.redirect_chain == [(url("network-detail", network), 302)]
        assert message in html_of(response)
    assert Membership.objects.filter(status="pending").count() == (1 if situation == "pending" else 0)


def test_an_ineligible_person_cannot_apply(client, approval_network):
    person = UserFactory(email="sam@acme.example", organisation=OrganisationFactory(kind="supplier"))
    client.force_login(person)
    response = client.post(url("network-apply", approval_network), apply_data(), follow=True)
    assert "so people from" in html_of(response)
    assert not Membership.objects.exists()


def test_applying_needs_signing_in_and_get_or_post(client, member, approval_network):
    assert client.get(url("network-apply", approval_network)).status_code == 302
    client.force_login(member)
    assert client.put(url("network-apply", approval_network)).status_code == 405
    assert client.delete(url("network-apply", approval_network)).status_code == 405


# --- leaving --------------------------------------------------------------------------------


def test_leaving_asks_for_confirmation_then_leaves(client, member, open_network):
    MembershipFactory(user=member, network=open_network)
    client.force_login(member)
    page = client.get(url("network-leave", open_network))
    assert page.status_code == 200
    assert "Are you sure you want to leave Data Scientists?" in html_of(page)
    assert Membership.objects.get().is_active

    response = client.post(url("network-leave", open_network), follow=True)
    assert response.redirect_chain == [(url("my-networks"), 302)]
    assert "You have left Data Scientists." in html_of(response)
    assert Membership.objects.get().status == Membership.Status.LEFT


def test_withdrawing_an_application(client, member, approval_network):
    MembershipFactory(user=member, network=approval_network, status="pending")
    client.force_login(member)
    assert "withdraw your application" in html_of(client.get(url("network-leave", approval_network)))
    response = client.post(url("network-leave", approval_network), follow=True)
    assert "Your application to join Data Leaders has been withdrawn." in html_of(response)


def test_leaving_a_network_you_are_not_in_is_not_found(client, member, outsider, open_network):
    MembershipFactory(user=member, network=open_network)
    client.force_login(outsider)
    assert client.get(url("network-leave", open_network)).status_code == 404
    assert client.post(url("network-leave", open_network)).status_code == 404
    assert Membership.objects.get().is_active


def test_leaving_needs_signing_in_and_get_or_post(client, member, open_network):
    MembershipFactory(user=member, network=open_network)
    assert client.post(url("network-leave", open_network)).status_code == 302
    client.force_login(member)
    assert client.put(url("network-leave", open_network)).status_code == 405
    assert Membership.objects.get().is_active


# --- your networks --------------------------------------------------------------------------


def test_your_networks_lists_only_your_own(client, member, outsider, open_network, approval_network):
    MembershipFactory(user=member, network=open_network, role="lead")
    MembershipFactory(user=member, network=approval_network, status="pending")
    MembershipFactory(user=outsider, network=NetworkFactory(name="Other people's network"))
    client.force_login(member)
    response = client.get(url("my-networks"))
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Your networks – LOTI Network Portal</title>" in html
    assert "Data Scientists" in html and "Lead" in html
    assert "Application pending" in html
    assert "Other people&#x27;s network" not in html


def test_your_networks_needs_signing_in_and_get(client, member):
    assert client.get(url("my-networks")).status_code == 302
    client.force_login(member)
    assert client.post(url("my-networks")).status_code == 405


def test_the_account_page_links_to_your_networks(client, member):
    client.force_login(member)
    assert url("my-networks") in html_of(client.get(reverse("accounts:profile-detail")))


def test_a_network_s_meetings_are_its_network_meetings_and_its_other_sessions_are_listed_apart(
    client, member, open_network
):
    start = timezone.now() + timedelta(days=3)
    careers = {
        "start": start,
        "end": start + timedelta(hours=3),
        "status": "published",
        "network": open_network,
    }
    Event.objects.create(title="Careers day", slug="careers-day", kind=Event.Kind.CAREERS_DAY, **careers)
    later = start + timedelta(days=7)
    Event.objects.create(
        title="Data Scientists meeting",
        slug="data-scientists-meeting",
        kind=Event.Kind.NETWORK_MEETING,
        network=open_network,
        start=later,
        end=later + timedelta(hours=1),
        status="published",
    )
    Event.objects.create(
        title="Private briefing",
        slug="private-briefing",
        audience=Event.Audience.INVITATION,
        **careers,
    )
    client.force_login(member)
    html = html_of(client.get(url("network-detail", open_network)))
    meetings = html[html.index("Upcoming meetings") : html.index("Sessions for this network")]
    sessions = html[html.index("Sessions for this network") :]
    assert "Data Scientists meeting" in meetings and "Careers day" not in meetings
    assert "Careers day" in sessions and "Data Scientists meeting" not in sessions
    assert "Private briefing" not in html
    # The list of networks says when the next meeting is: the meeting, not the careers day.
    [network] = [n for n in selectors.network_list_for_user(user=member) if n.pk == open_network.pk]
    assert network.next_meeting_start == later


def test_a_network_s_page_lists_its_next_five_meetings_and_its_next_five_other_sessions(
    client, member, open_network
):
    soon = timezone.now() + timedelta(days=1)
    kinds = [Event.Kind.TRAINING, Event.Kind.DEMO, Event.Kind.CAREERS_DAY]

    def event(title, kind, days, **fields):
        start = soon + timedelta(days=days)
        fields = {"status": "published", "network": open_network, **fields}
        return Event.objects.create(
            title=title,
            slug=title.lower().replace(" ", "-"),
            kind=kind,
            start=start,
            end=start + timedelta(hours=1),
            **fields,
        )

    # Seven meetings; and seven other sessions of three kinds, the soonest an invitation-only
    # one the member is not invited to, so it takes no place among the five shown.
    for n in range(7):
        event(f"Meeting {n}", Event.Kind.NETWORK_MEETING, days=n)
    event("Private session", Event.Kind.DEMO, days=0, audience=Event.Audience.INVITATION)
    for n in range(7):
        event(f"Session {n}", kinds[n % 3], days=n)
    client.force_login(member)
    response = client.get(url("network-detail", open_network))
    assert [m.title for m in response.context["meetings"]] == [f"Meeting {n}" for n in range(5)]
    assert [s.title for s in response.context["sessions"]] == [f"Session {n}" for n in range(5)]
    html = html_of(response)
    meetings = html[html.index("Upcoming meetings") : html.index("Sessions for this network")]
    sessions = html[html.index("Sessions for this network") :]
    for n in range(5):
        meeting_url = reverse("events:event-detail", args=[f"meeting-{n}"])
        session_url = reverse("events:event-detail", args=[f"session-{n}"])
        assert f'<a class="govuk-link" href="{meeting_url}">Meeting {n}</a>' in meetings
        assert f'<a class="govuk-link" href="{session_url}">Session {n}</a>' in sessions
    assert "Meeting 5" not in html and "Session 5" not in html and "Private session" not in html


def test_an_address_by_slug_is_the_address_reverse_gives():
    address = selectors.address_by_slug("events:event-detail")
    for slug in ("careers-day", "a", "data-leaders-2026-12-08"):
        assert address(slug) == reverse("events:event-detail", args=[slug])
