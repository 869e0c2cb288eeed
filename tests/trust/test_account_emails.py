"""allauth's emails and pages in the portal's voice, with every link built from SITE_URL (never
from the Host header), and nothing a stranger typed sent to an address nobody has confirmed."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

SITE = "https://portal.loti.example"
PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _html(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def _sign_up(client, **overrides):
    data = {
        "full_name": "Nadia Hussain",
        "email": "nadia@camden.gov.uk",
        "job_title": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("account_signup"), data, HTTP_HOST="localhost:1")


def _assert_portal_email(message, path_prefix):
    for part in (message.subject, message.body, _html(message)):
        assert "localhost:1" not in part
        assert "Hello from" not in part and "Thank you for using" not in part
    assert re.search(rf"{re.escape(SITE)}{re.escape(path_prefix)}\S*", message.body), message.body
    html = _html(message)
    assert f'<a href="{SITE}{path_prefix}' in html
    assert "&lt;p&gt;" not in html and "&lt;a href" not in html and "&amp;lt;" not in html


def test_the_sign_up_confirmation_is_built_from_site_url_and_in_plain_english(client, org, mailoutbox):
    assert _sign_up(client).status_code == 302
    [message] = mailoutbox
    assert message.subject == "Confirm your email address for the LOTI Network Portal"
    _assert_portal_email(message, "/account/confirm-email/")
    assert "The link works for 3 days" in message.body


def test_a_password_reset_link_ignores_the_host_header(client, member, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": member.email}, HTTP_HOST="localhost:1")
    [message] = mailoutbox
    assert message.subject == "Reset your LOTI Network Portal password"
    _assert_portal_email(message, "/account/password/reset/key/")


def test_someone_without_an_account_is_told_from_site_url(client, db, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@camden.gov.uk"}, HTTP_HOST="localhost:1")
    [message] = mailoutbox
    assert message.subject == "You do not have a LOTI Network Portal account"
    _assert_portal_email(message, "/account/signup/")


def test_signing_up_with_a_taken_address_tells_its_owner_from_site_url(client, member, mailoutbox):
    _sign_up(client, email=member.email)
    [message] = mailoutbox
    assert message.to == [member.email]
    assert message.subject == "You already have a LOTI Network Portal account"
    _assert_portal_email(message, "/account/login/")


def test_a_strangers_name_never_reaches_an_unconfirmed_address(client, org, mailoutbox):
    _sign_up(
        client,
        full_name="Your IT team says urgently visit http://evil.example now",
        email="victim@camden.gov.uk",
    )
    [message] = mailoutbox
    for part in (message.subject, message.body, _html(message)):
        assert "evil.example" not in part and "IT team" not in part


def test_the_check_your_email_page_offers_a_new_link(client, org, mailoutbox):
    response = _sign_up(client)
    page = client.get(response["Location"]).content.decode()
    assert '<h1 class="govuk-heading-l">Check your email</h1>' in page
    resend_url = reverse("accounts:confirmation-resend")
    assert f'href="{resend_url}"' in page

    assert client.get(resend_url).status_code == 200
    answer = client.post(resend_url, {"email": "NADIA@camden.gov.uk"})
    assert answer.status_code == 200 and "Check your email" in answer.content.decode()
    assert len(mailoutbox) == 2
    _assert_portal_email(mailoutbox[1], "/account/confirm-email/")
    # Again within 3 minutes, or for an address with no account: the same answer, no email.
    again = client.post(resend_url, {"email": "nadia@camden.gov.uk"})
    unknown = client.post(resend_url, {"email": "nobody@camden.gov.uk"})
    assert again.status_code == unknown.status_code == 200
    assert len(mailoutbox) == 2
    # The newest link confirms the address.
    path = re.search(rf"{re.escape(SITE)}(/account/confirm-email/\S+/)", mailoutbox[1].body).group(1)
    client.post(path)
    assert User.objects.get(email="nadia@camden.gov.uk").emailaddress_set.get().verified


def test_asking_for_a_new_link_with_a_bad_address_shows_the_error_by_the_field(client, db, mailoutbox):
    response = client.post(reverse("accounts:confirmation-resend"), {"email": "not-an-address"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Enter an email address in the correct format" in html
    assert mailoutbox == []


def test_a_confirmed_address_gets_no_new_link(client, member, mailoutbox):
    client.post(reverse("accounts:confirmation-resend"), {"email": member.email})
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_reset_password", "Reset your password"),
        ("account_reset_password_done", "Check your email"),
        ("account_email_verification_sent", "Check your email"),
    ],
)
def test_allauth_pages_speak_in_sentence_case(client, db, name, heading):
    html = client.get(reverse(name)).content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    for title_case in ("Password Reset", "Verify Your Email Address", "Reset My Password"):
        assert title_case not in html


def test_an_expired_confirmation_link_offers_a_new_one(client, db):
    html = client.get(reverse("account_confirm_email", args=["not-a-key"])).content.decode()
    assert "This link has expired or has already been used." in html
    assert reverse("accounts:confirmation-resend") in html


def test_changing_the_password_notifies_the_owner_in_the_portals_voice(client, db, mailoutbox):
    person = UserFactory(email="amara@camden.gov.uk")
    client.force_login(person)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": "correct-horse-battery", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST="localhost:1",
    )
    [message] = mailoutbox
    assert message.subject == "Your LOTI Network Portal password has changed"
    _assert_portal_email(message, "/account/password/reset/")


def test_the_change_password_page_speaks_in_sentence_case(client, member):
    client.force_login(member)
    html = client.get(reverse("account_change_password")).content.decode()
    assert '<h1 class="govuk-heading-l">Change your password</h1>' in html
    assert "Change Password" not in html
    bad = client.post(
        reverse("account_change_password"), {"oldpassword": "wrong", "password1": "", "password2": ""}
    )
    assert "govuk-error-summary" in bad.content.decode()
