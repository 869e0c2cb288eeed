"""Sign-in limits that hold behind the TLS proxy docker-compose describes: per browser address
(through the trusted proxy chain), per account across addresses, and for Django admin too."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("account_login")
PROXY = "10.0.0.2"  # the proxy's own address: REMOTE_ADDR of every request behind it
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def _through_proxy(client, data, *, browser, spoofed=None, path=LOGIN):
    forwarded = f"{spoofed}, {browser}" if spoofed else browser
    return client.post(path, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_docker_compose_trusts_its_one_proxy():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r"TRUSTED_PROXY_COUNT: \$\{TRUSTED_PROXY_COUNT:-1\}", compose)


def test_one_persons_failures_behind_the_proxy_do_not_lock_out_everyone(behind_one_proxy, member, outsider):
    attacker = Client()
    for _ in range(12):
        _through_proxy(attacker, {"login": member.email, "password": "wrong"}, browser="203.0.113.9")
    someone_else = Client()
    response = _through_proxy(
        someone_else, {"login": outsider.email, "password": PASSWORD}, browser="198.51.100.7"
    )
    assert response.status_code == 302
    assert _signed_in(someone_else)


def test_a_spoofed_forwarded_for_does_not_escape_the_per_address_limit(behind_one_proxy, member, outsider):
    attacker = Client()
    for n in range(12):
        _through_proxy(
            attacker,
            {"login": f"guess{n}@camden.gov.uk", "password": "x"},
            browser="203.0.113.9",
            spoofed=f"192.0.2.{n}",
        )
    blocked = _through_proxy(
        attacker,
        {"login": outsider.email, "password": PASSWORD},
        browser="203.0.113.9",
        spoofed="192.0.2.200",
    )
    assert not _signed_in(attacker)
    assert "too many" in blocked.content.decode().lower()


def test_a_forwarded_for_shorter_than_the_chain_is_not_a_server_error(settings, member):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    client = Client()
    response = client.post(
        LOGIN,
        {"login": member.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 302 and _signed_in(client)


def test_guessing_one_password_from_many_addresses_is_capped_and_the_owner_told(
    behind_one_proxy, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(25):
            _through_proxy(
                Client(), {"login": member.email, "password": f"guess-{n}"}, browser=f"203.0.113.{n + 1}"
            )
    owner = Client()
    refused = _through_proxy(owner, {"login": member.email, "password": PASSWORD}, browser="198.51.100.7")
    assert refused.status_code == 200 and not _signed_in(owner)
    html = refused.content.decode()
    assert "too many attempts to sign in to this account" in html
    assert "govuk-error-summary" in html
    notices = [m for m in mailoutbox if m.to == [member.email]]
    assert len(notices) == 1  # once per lockout, not per attempt
    assert notices[0].subject == "Someone is trying to sign in to your LOTI Network Portal account"
    assert f"{settings.SITE_URL}/account/password/reset/" in notices[0].body
    # Another account is not affected.
    other = UserFactory(email="ola@camden.gov.uk")
    fine = Client()
    _through_proxy(fine, {"login": other.email, "password": PASSWORD}, browser="198.51.100.8")
    assert _signed_in(fine)


def test_an_unknown_address_is_capped_the_same_and_nobody_is_emailed(behind_one_proxy, db, mailoutbox):
    for n in range(25):
        response = _through_proxy(
            Client(), {"login": "nobody@camden.gov.uk", "password": "x"}, browser=f"203.0.113.{n + 1}"
        )
    assert "too many attempts to sign in to this account" in response.content.decode()
    assert mailoutbox == []


def test_resetting_the_password_opens_a_capped_account(behind_one_proxy, member, mailoutbox):
    for n in range(25):
        _through_proxy(
            Client(), {"login": member.email, "password": f"guess-{n}"}, browser=f"203.0.113.{n + 1}"
        )
    owner = Client()
    owner.post(reverse("account_reset_password"), {"email": member.email})
    link = re.search(r"https?://[^/\s]+(/account/password/reset/key/[^\s]+/)", mailoutbox[-1].body).group(1)
    form_url = owner.get(link)["Location"]
    new_password = "another-long-passphrase"
    assert owner.post(form_url, {"password1": new_password, "password2": new_password}).status_code == 302
    _through_proxy(owner, {"login": member.email, "password": new_password}, browser="198.51.100.7")
    assert _signed_in(owner)


# --- Django admin signs in through the portal's sign-in -----------------------------------------


def test_admin_sign_in_is_the_portals_sign_in(client, db):
    response = client.get(reverse("admin:login"), {"next": "/admin/events/event/"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2Fevents%2Fevent%2F"
    elsewhere = client.get(reverse("admin:login"), {"next": "https://evil.example/admin/"})
    assert elsewhere["Location"] == f"{LOGIN}?next=%2Fadmin%2F"


def test_admin_password_guessing_is_throttled(staff):
    attacker = Client()
    for n in range(40):
        attacker.post(reverse("admin:login"), {"username": staff.email, "password": f"guess-{n}"})
        attacker.post(f"{LOGIN}?next=/admin/", {"login": staff.email, "password": f"guess-{n}"})
    attacker.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    attacker.post(f"{LOGIN}?next=/admin/", {"login": staff.email, "password": PASSWORD})
    assert not _signed_in(attacker)
    assert attacker.get(reverse("admin:index")).status_code == 302


def test_staff_reach_admin_after_signing_in_with_a_confirmed_address(staff):
    client = Client()
    response = client.post(
        f"{LOGIN}?next=/admin/", {"login": staff.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_unconfirmed_address_cannot_reach_admin(staff, mailoutbox):
    EmailAddress.objects.filter(user=staff).update(verified=False)
    client = Client()
    client.post(f"{LOGIN}?next=/admin/", {"login": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302
    assert any("/account/confirm-email/" in m.body for m in mailoutbox)


def test_a_member_signed_in_is_told_admin_is_for_staff(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 403
    assert "not a staff account" in response.content.decode()
