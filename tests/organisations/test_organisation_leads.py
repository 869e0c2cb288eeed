"""Organisation leads: their colleagues, the sign-ups claiming their organisation, invitations,
and their organisation's engagement; and what nobody else sees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, OrganisationRequest
from engagement.services import rollup_refresh
from events.models import Registration
from networks.models import Membership
from organisations import services
from organisations.models import OrganisationLead
from outbox.models import Email
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, RegistrationFactory, UserFactory
from tests.helpers import session_queries

HOME = reverse("organisations:home")


def html_of(response):
    return response.content.decode()


@pytest.fixture
def camden_lead(member, org, staff):
    services.organisation_lead_add(user=member, organisation=org, acting_user=staff)
    return member


@pytest.fixture
def camden(org, other_org):
    """A Camden colleague in a network with a session (and an answer), a Hackney person, and a
    sign-up claiming Camden from a personal address."""
    network = NetworkFactory(name="Data Scientists")
    colleague = UserFactory(email="ravi@camden.gov.uk", full_name="Ravi Colleague", organisation=org)
    MembershipFactory(user=colleague, network=network)
    event = EventFactory(title="Python for analysts")
    RegistrationFactory(event=event, user=colleague, answers={"role": "SECRET-ANSWER"})
    hackney = UserFactory(email="hal@hackney.gov.uk", full_name="Hal Hackney", organisation=other_org)
    RegistrationFactory(event=event, user=hackney)
    claimant = UserFactory(
        email="sam.claims@gmail.example", full_name="Sam Claimant", requested_organisation_name="Camden"
    )
    claim = OrganisationRequest.objects.create(
        user=claimant,
        organisation=org,
        name="Camden",
        source=OrganisationRequest.Source.CHOSE_FROM_LIST,
        email=claimant.email,
    )
    hackney_claimant = UserFactory(email="hana@gmail.example", full_name="Hana Claimant")
    other_claim = OrganisationRequest.objects.create(
        user=hackney_claimant,
        organisation=other_org,
        name="Hackney",
        source=OrganisationRequest.Source.CHOSE_FROM_LIST,
        email=hackney_claimant.email,
    )
    return {"colleague": colleague, "claim": claim, "other_claim": other_claim, "event": event}


def test_an_organisation_lead_sees_colleagues_networks_and_sessions_but_no_answers(
    client, camden_lead, camden
):
    client.force_login(camden_lead)
    response = client.get(HOME)
    html = html_of(response)
    assert response.status_code == 200
    assert "Ravi Colleague" in html and "Data Scientists" in html and "Python for analysts" in html
    assert "Sam Claimant" in html and "sam.claims@gmail.example" in html
    for hidden in ("SECRET-ANSWER", "Hal Hackney", "Hana Claimant"):
        assert hidden not in html


def test_the_account_page_shows_a_lead_the_way_to_their_organisation(client, camden_lead, outsider):
    client.force_login(camden_lead)
    assert HOME in html_of(client.get(reverse("accounts:profile-detail")))
    client.force_login(outsider)
    assert HOME not in html_of(client.get(reverse("accounts:profile-detail")))


@pytest.mark.parametrize("who", ["member", "staff", "other_lead", "lead_moved"])
def test_nobody_but_the_organisations_lead_sees_its_people(
    client, request, camden, org, other_org, who, staff
):
    if who == "member":
        visitor = UserFactory(email="new@camden.gov.uk", organisation=org)
    elif who == "staff":
        visitor = staff
    elif who == "other_lead":
        visitor = UserFactory(email="lead@hackney.gov.uk", organisation=other_org)
        services.organisation_lead_add(user=visitor, organisation=other_org, acting_user=staff)
    else:  # made a lead of Camden, then linked to Hackney
        visitor = UserFactory(email="mover@camden.gov.uk", organisation=org)
        services.organisation_lead_add(user=visitor, organisation=org, acting_user=staff)
        visitor.organisation = other_org
        visitor.save()
    client.force_login(visitor)
    claim = camden["claim"]
    responses = [
        client.get(HOME),
        client.get(reverse("organisations:engagement")),
        client.get(reverse("organisations:colleague-invite")),
        client.post(reverse("organisations:claim-confirm", args=[claim.pk])),
        client.get(reverse("organisations:claim-reject", args=[claim.pk])),
    ]
    for response in responses:
        # Another organisation's lead has pages of their own, with nothing of Camden on them.
        own_page = (
            who == "other_lead"
            and response.request["REQUEST_METHOD"] == "GET"
            and "claims" not in response.request["PATH_INFO"]
        )
        assert response.status_code == (200 if own_page else 404)
        assert "Ravi Colleague" not in html_of(response) and "Sam Claimant" not in html_of(response)
    claim.refresh_from_db()
    assert claim.is_pending


def test_the_lead_confirms_a_colleague_awaiting_review_with_the_service_staff_use(
    client, camden_lead, camden, org
):
    client.force_login(camden_lead)
    response = client.post(reverse("organisations:claim-confirm", args=[camden["claim"].pk]), follow=True)
    assert "Sam Claimant is now linked to Camden" in html_of(response)
    claim = camden["claim"]
    claim.refresh_from_db()
    claim.user.refresh_from_db()
    assert claim.status == OrganisationRequest.Status.APPROVED and claim.decided_by == camden_lead
    assert claim.user.organisation == org and claim.user.requested_organisation_name == ""
    assert Email.objects.filter(to="sam.claims@gmail.example").exists()
    # Now a colleague, on the list.
    assert "Sam Claimant" in html_of(client.get(HOME))


def test_the_lead_does_not_confirm_a_sign_up(client, camden_lead, camden):
    client.force_login(camden_lead)
    url = reverse("organisations:claim-reject", args=[camden["claim"].pk])
    assert "Do not confirm Sam Claimant" in html_of(client.get(url))
    client.post(url, {"reason": "Not on our staff list."})
    claim = camden["claim"]
    claim.refresh_from_db()
    assert (
        claim.status == OrganisationRequest.Status.REJECTED
        and claim.decision_reason == "Not on our staff list."
    )
    assert claim.user.organisation is None


def test_a_lead_cannot_decide_another_organisations_claim(client, camden_lead, camden):
    client.force_login(camden_lead)
    response = client.post(reverse("organisations:claim-confirm", args=[camden["other_claim"].pk]))
    assert response.status_code == 404
    camden["other_claim"].refresh_from_db()
    assert camden["other_claim"].is_pending


def test_inviting_a_colleague_emails_a_sign_up_link(
    client, camden_lead, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(camden_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:colleague-invite"), {"email": "Nia.New@Camden.gov.uk"}, follow=True
        )
    assert "We have emailed nia.new@camden.gov.uk a link to sign up" in html_of(response)
    assert [mail.to for mail in mailoutbox] == [["nia.new@camden.gov.uk"]]
    assert reverse("account_signup") in mailoutbox[0].body and "Amara Member" in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="organisations.colleague.invited").exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your colleague&#x27;s work email address"),
        ("not-an-address", "Enter an email address in the correct format"),
        ("someone@gmail.example", "Enter an address at @camden.gov.uk"),
        ("amara@camden.gov.uk", "amara@camden.gov.uk already has an account"),
    ],
)
def test_an_invitation_to_a_bad_address_is_refused_next_to_the_field(client, camden_lead, email, message):
    client.force_login(camden_lead)
    response = client.post(reverse("organisations:colleague-invite"), {"email": email})
    assert response.status_code == 200
    assert "There is a problem" in html_of(response) and message in html_of(response)
    assert not Email.objects.exists()


def test_the_organisations_engagement_shows_only_it_and_hides_small_counts(client, camden_lead, camden, org):
    past = EventFactory(
        start=timezone.now() - timezone.timedelta(days=3),
        end=timezone.now() - timezone.timedelta(days=3, hours=-1),
    )
    for person in [camden["colleague"], camden_lead, UserFactory(organisation=org)]:
        Registration.objects.create(event=past, user=person, status=Registration.Status.ATTENDED)
    Registration.objects.create(
        event=past, user=UserFactory(email="x@hackney.gov.uk"), status=Registration.Status.ATTENDED
    )
    rollup_refresh()
    client.force_login(camden_lead)
    response = client.get(reverse("organisations:engagement"))
    dashboard = response.context["dashboard"]
    assert response.status_code == 200
    assert [row[0] for row in dashboard.section("attendance-by-borough").rows] == ["Camden"]
    attended = [row[2] for row in dashboard.section("attendance-by-month").rows]
    assert sum(attended) == 3  # Camden's three, not Hackney's fourth
    assert "boroughs-without-members" not in [section.slug for section in dashboard.sections]
    # One Camden member of one network: fewer than 3.
    assert dashboard.section("active-members").rows == [["Data Scientists", *[0] * 11, None]]
    assert "fewer than 3" in html_of(response)
    csv = client.get(reverse("organisations:engagement"), {"csv": "active-members"}).content.decode()
    assert "fewer than 3" in csv


def test_the_colleagues_page_runs_the_same_queries_whatever_the_size(client, camden_lead, org):
    network = NetworkFactory(name="Data Practitioners")
    client.force_login(camden_lead)
    client.get(HOME)
    counts = []
    for size in (3, 60):
        for _n in range(size):
            person = UserFactory(organisation=org)
            MembershipFactory(user=person, network=network)
            RegistrationFactory(user=person, event=EventFactory())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        counts.append(len(queries))
    # The person, the organisation they lead, colleagues, their networks, their places, the claims.
    assert counts[0] == counts[1] <= 6 + session_queries()


def test_staff_make_a_lead_only_of_the_organisation_someone_is_linked_to(member, other_org, staff):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.organisation_lead_add(user=member, organisation=other_org, acting_user=staff)
    assert not OrganisationLead.objects.exists()
    assert Membership.objects.count() == 0


# --- a sign-up claiming an organisation with a lead, end to end --------------------------------

PASSWORD = "a-long-unusual-passphrase"


def _sign_up(client, *, email, organisation="", new_name=""):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Sam Someone",
            "email": email,
            "job_title": "Analyst",
            "organisation": str(organisation),
            "new_organisation_name": new_name,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()


def _confirm(client, mailoutbox, email):
    import re

    message = next(m for m in mailoutbox if m.to == [email])
    path = re.search(r"https?://[^/\s]+(/account/confirm-email/[^\s]+/)", message.body).group(1)
    assert client.post(path).status_code == 302


def test_a_sign_up_choosing_camden_reaches_camdens_lead_who_confirms_it(
    client, camden_lead, org, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    newcomer = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(newcomer, email="sam.someone@gmail.example", organisation=org.pk)
    # Not before the address is confirmed: nobody knows yet that it is Sam's.
    assert [m for m in mailoutbox if m.to == [camden_lead.email]] == []
    client.force_login(camden_lead)
    assert "Sam Someone" not in html_of(client.get(HOME))

    with django_capture_on_commit_callbacks(execute=True):
        _confirm(newcomer, mailoutbox, "sam.someone@gmail.example")
    [to_lead] = [m for m in mailoutbox if m.to == [camden_lead.email]]
    assert "Sam Someone says they work for Camden" in to_lead.subject
    assert HOME in to_lead.body and "sam.someone@gmail.example" in to_lead.body
    assert {mimetype for _, mimetype in to_lead.alternatives} == {"text/html"}

    home = html_of(client.get(HOME))
    assert "Sam Someone" in home
    claim = OrganisationRequest.objects.get(user__email="sam.someone@gmail.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:claim-confirm", args=[claim.pk]))
    claim.refresh_from_db()
    claim.user.refresh_from_db()
    assert claim.status == OrganisationRequest.Status.APPROVED and claim.user.organisation == org
    assert [m for m in mailoutbox if m.to == ["sam.someone@gmail.example"]][-1].subject
    # Signed in, Sam now has what Camden's people have.
    profile = html_of(newcomer.get(reverse("accounts:profile-detail")))
    assert "Camden" in profile and "Awaiting review" not in profile


def test_a_sign_up_naming_a_new_organisation_goes_to_staff_only(
    client, camden_lead, org, mailoutbox, django_capture_on_commit_callbacks
):
    from django.conf import settings
    from django.test import Client

    newcomer = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(newcomer, email="sam@newbody.example", new_name="Camden Data Trust")
        _confirm(newcomer, mailoutbox, "sam@newbody.example")
    assert [m.to for m in mailoutbox if m.to != ["sam@newbody.example"]] == [
        [settings.STAFF_NOTIFICATION_EMAIL]
    ]
    client.force_login(camden_lead)
    assert "Sam Someone" not in html_of(client.get(HOME))


def test_a_claim_from_an_unconfirmed_address_is_not_the_leads_to_decide(client, camden_lead, camden):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=camden["claim"].user).update(verified=False)
    client.force_login(camden_lead)
    assert "Sam Claimant" not in html_of(client.get(HOME))
    response = client.post(reverse("organisations:claim-confirm", args=[camden["claim"].pk]))
    assert response.status_code == 404
    camden["claim"].refresh_from_db()
    assert camden["claim"].is_pending


def test_the_leads_email_is_not_sent_once_the_claim_is_decided(camden_lead, camden, staff, mailoutbox):
    from django.db import transaction

    from accounts.services import organisation_request_reject
    from outbox.services import emails_send

    with transaction.atomic():
        assert services.claim_leads_notify(request=camden["claim"]) == 1
        assert services.claim_leads_notify(request=camden["claim"]) == 0  # once per claim and lead
    organisation_request_reject(request=camden["claim"], acting_user=staff, reason="")
    row = Email.objects.get(kind="organisations.claim_to_lead")
    emails_send(email_ids=[row.pk])
    assert [m for m in mailoutbox if m.to == [camden_lead.email]] == []
