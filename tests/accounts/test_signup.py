import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

SIGNUP = reverse("account_signup")


def signup_data(**overrides):
    data = {
        "full_name": "Nadia Hussain",
        "email": "nadia.hussain@camden.gov.uk",
        "job_title": "Data Analyst",
        "organisation": "",
        "new_organisation_name": "",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    data.update(overrides)
    return data


def confirmation_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/account/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_verification_then_confirming_signs_in_with_borough(client, org, mailoutbox):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="nadia.hussain@camden.gov.uk")
    assert user.organisation is None  # not until the address is confirmed
    assert user.full_name == "Nadia Hussain"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nadia.hussain@camden.gov.uk"]
    assert {mimetype for _, mimetype in message.alternatives} == {"text/html"}

    # Not signed in until the address is confirmed.
    assert client.get(reverse("accounts:profile-detail")).status_code == 302

    path = confirmation_path(message)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    user.refresh_from_db()
    assert user.organisation == org
    page = client.get(reverse("accounts:profile-detail"))
    assert page.status_code == 200
    assert "Camden" in page.content.decode()
    assert AuditEntry.objects.filter(action="accounts.user.signed_up", target_id=str(user.pk)).exists()


def test_confirming_in_another_browser_then_signing_in_leads_to_the_network_chooser(client, org, mailoutbox):
    client.post(SIGNUP, signup_data())
    path = confirmation_path(mailoutbox[0])
    other_browser = Client()
    response = other_browser.post(path)
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("account_login"))
    assert "Sign in" in other_browser.get(login_url).content.decode()
    response = other_browser.post(
        login_url, {"login": "nadia.hussain@camden.gov.uk", "password": "a-long-unusual-passphrase"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("networks:choose")
    assert other_browser.get(response["Location"]).status_code == 200


def test_a_member_confirming_a_new_address_elsewhere_signs_in_as_usual(client, member, mailoutbox):
    MembershipFactory(user=member, status="active")
    client.force_login(member)
    client.post(reverse("account_email"), {"action_add": "", "email": "amara.member@camden.gov.uk"})
    response = Client().post(confirmation_path(mailoutbox[-1]))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")


def test_unknown_domain_must_choose_or_name_an_organisation(client, org, mailoutbox):
    response = client.post(SIGNUP, signup_data(email="nadia@gmail.com"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "We do not recognise your email address" in html
    assert not User.objects.filter(email="nadia@gmail.com").exists()
    assert mailoutbox == []


def test_unknown_domain_with_chosen_organisation_awaits_review(client, org):
    response = client.post(SIGNUP, signup_data(email="nadia@contractor.example", organisation=str(org.pk)))
    assert response.status_code == 302
    user = User.objects.get(email="nadia@contractor.example")
    assert user.organisation is None
    assert user.requested_organisation_name == "Camden"


def test_unknown_domain_naming_a_new_organisation_awaits_review(client, org):
    response = client.post(
        SIGNUP, signup_data(email="nadia@newbody.org.uk", new_organisation_name="  New   Public Body ")
    )
    assert response.status_code == 302
    user = User.objects.get(email="nadia@newbody.org.uk")
    assert user.organisation is None
    assert user.requested_organisation_name == "New Public Body"


def test_choosing_and_naming_an_organisation_together_is_refused(client, org):
    response = client.post(
        SIGNUP,
        signup_data(email="nadia@newbody.org.uk", organisation=str(org.pk), new_organisation_name="Other"),
    )
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not User.objects.filter(email="nadia@newbody.org.uk").exists()


def test_matching_domain_overrides_a_chosen_organisation(client, org, mailoutbox):
    other = OrganisationFactory(name="Hackney", domains=["hackney.gov.uk"])
    client.post(SIGNUP, signup_data(organisation=str(other.pk)))
    client.post(confirmation_path(mailoutbox[0]))
    user = User.objects.get(email="nadia.hussain@camden.gov.uk")
    assert user.organisation == org
    assert user.requested_organisation_name == ""


def test_lookalike_domain_is_not_linked_to_the_borough(client, org):
    response = client.post(SIGNUP, signup_data(email="nadia@camden.gov.uk.example.com"))
    assert response.status_code == 200
    assert "We do not recognise your email address" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "   ", "Enter your full name"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("password2", "something-else-entirely", "You must type the same password each time"),
        ("password1", "short", "This password is too short"),
    ],
)
def test_bad_input_shows_message_by_field_and_stores_nothing(client, org, mailoutbox, field, value, message):
    data = signup_data(**{field: value})
    if field == "password1":
        data["password2"] = value
    response = client.post(SIGNUP, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert "govuk-error-message" in html
    assert "<title>Error:" in html
    assert User.objects.count() == 0
    assert mailoutbox == []


def test_signup_with_an_existing_email_looks_the_same_and_tells_the_owner(client, org, mailoutbox):
    UserFactory(email="nadia.hussain@camden.gov.uk", organisation=org)
    fresh = client.post(SIGNUP, signup_data(email="someone.new@camden.gov.uk"))
    client.logout()
    existing = client.post(SIGNUP, signup_data())
    assert fresh.status_code == existing.status_code == 302
    assert fresh["Location"] == existing["Location"]
    assert User.objects.filter(email="nadia.hussain@camden.gov.uk").count() == 1
    assert [m.to for m in mailoutbox] == [["someone.new@camden.gov.uk"], ["nadia.hussain@camden.gov.uk"]]
    assert "already" in mailoutbox[1].body.lower()


def test_changing_email_to_another_borough_relinks_the_organisation(client, member, mailoutbox):
    hackney = OrganisationFactory(name="Hackney", domains=["hackney.gov.uk"])
    client.force_login(member)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "amara@hackney.gov.uk"})
    assert response.status_code == 302
    path = confirmation_path(mailoutbox[-1])
    client.post(path)
    member.refresh_from_db()
    assert member.email == "amara@hackney.gov.uk"
    assert member.organisation == hackney
    assert AuditEntry.objects.filter(
        action="accounts.user.organisation_changed", target_id=str(member.pk)
    ).exists()
