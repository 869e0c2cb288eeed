from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = reverse("account_login")
RESET = reverse("account_reset_password")


def test_member_signs_in_and_sees_account(client, member):
    response = client.post(LOGIN, {"login": member.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("accounts:profile-detail"))
    assert member.full_name in page.content.decode()
    assert "Camden" in page.content.decode()


def test_session_key_changes_at_sign_in(client, member):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    client.post(LOGIN, {"login": member.email, "password": PASSWORD})
    assert client.session.session_key != before


def test_wrong_password_and_unknown_account_answer_the_same(client, member):
    wrong = client.post(LOGIN, {"login": member.email, "password": "not-the-password"})
    unknown = client.post(LOGIN, {"login": "nobody@camden.gov.uk", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 200

    def error_text(response):
        return [str(e) for e in response.context["form"].non_field_errors()]

    assert error_text(wrong) == error_text(unknown)
    assert error_text(wrong)


def test_password_reset_answers_the_same_whether_or_not_account_exists(client, member, mailoutbox):
    known = client.post(RESET, {"email": member.email})
    unknown = client.post(RESET, {"email": "nobody@camden.gov.uk"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    recipients = [m.to for m in mailoutbox]
    assert recipients[0] == [member.email]
    assert "/account/password/reset/key/" in mailoutbox[0].body
    # Anyone who asks for an unknown address is told there is no account, by email only.
    assert all("/password/reset/key/" not in m.body for m in mailoutbox[1:])


def test_repeated_failed_sign_ins_are_rate_limited(client, member):
    for _ in range(5):
        client.post(LOGIN, {"login": member.email, "password": "wrong-password"})
    blocked = client.post(LOGIN, {"login": member.email, "password": PASSWORD})
    assert blocked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "too many" in blocked.content.decode().lower()


def test_failed_attempts_from_elsewhere_do_not_lock_the_owner_out(client, member):
    for _ in range(6):
        client.post(LOGIN, {"login": member.email, "password": "attacker-guess"}, REMOTE_ADDR="203.0.113.9")
    owner = client.post(LOGIN, {"login": member.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert owner.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_profile_requires_sign_in(client, db):
    response = client.get(reverse("accounts:profile-detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_profile_edit_updates_and_rejects_blank_name(client, member):
    client.force_login(member)
    url = reverse("accounts:profile-edit")
    bad = client.post(url, {"full_name": "  ", "job_title": "Analyst"})
    assert bad.status_code == 200
    assert "Enter your full name" in bad.content.decode()
    member.refresh_from_db()
    assert member.full_name == "Amara Member"
    good = client.post(url, {"full_name": "Amara O. Member", "job_title": "Head of Data"})
    assert good.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.job_title) == ("Amara O. Member", "Head of Data")
    assert client.delete(url).status_code == 405
