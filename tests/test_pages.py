import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("home", "<title>LOTI Network Portal</title>"),
        ("accessibility", "<title>Accessibility statement – LOTI Network Portal</title>"),
        ("privacy", "<title>Privacy notice – LOTI Network Portal</title>"),
        ("account_login", "<title>Sign in – LOTI Network Portal</title>"),
        ("account_signup", "<title>Create an account – LOTI Network Portal</title>"),
    ],
)
def test_public_pages_render_with_layout(client, db, name, title):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    assert 'id="main-content"' in html
    assert "govuk-skip-link" in html
    assert "govuk-phase-banner" in html
    assert reverse("accessibility") in html and reverse("privacy") in html


def test_pages_send_a_content_security_policy_without_inline_script(client, db):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_home_leads_signed_out_visitors_to_sign_up(client, db):
    html = client.get(reverse("home")).content.decode()
    assert reverse("account_signup") in html


def test_home_greets_signed_in_member(client, member):
    client.force_login(member)
    html = client.get(reverse("home")).content.decode()
    assert member.full_name in html
    assert "Sign out" in html


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_a_broken_broker(client, db, settings):
    from loti_portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_stale_form_token_gets_a_friendly_403(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("account_login"), {"login": "a@b.c", "password": "x"})
    assert response.status_code == 403
    assert "your form could not be sent" in response.content.decode()


def test_signed_in_pages_do_not_write_the_session_every_time(client, member, django_assert_max_num_queries):
    import time_machine

    client.force_login(member)
    client.get(reverse("home"))
    first_expiry = client.session.get_expiry_date()
    with time_machine.travel(first_expiry.timestamp() - 60 * 60 * 24 * 14 + 600, tick=False):
        response = client.get(reverse("home"))
    # Ten minutes later the session is not rewritten (no cookie is set again) …
    assert "sessionid" not in response.cookies
    # … but after the refresh interval it is, which pushes the idle expiry on.
    with time_machine.travel(first_expiry.timestamp() - 60 * 60 * 24 * 14 + 3 * 3600, tick=False):
        response = client.get(reverse("home"))
    assert "sessionid" in response.cookies
