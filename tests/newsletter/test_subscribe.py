"""Signing up for the newsletter: double opt-in, the same answer for every address, the throttle,
one button for members, and unsubscribing with one click."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Subscriber, UnsubscribedAddress
from newsletter.services import subscriber_unsubscribe, subscribers_purge
from newsletter.tokens import email_hash, unsubscribe_token
from outbox.models import Email
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("newsletter:subscribe")
GOOD = {"email": "Rosa@Example.org", "name": "Rosa", "consent": "on"}


def test_signing_up_sends_a_confirmation_and_subscribes_only_once_confirmed(client, send, mailoutbox):
    with send():
        response = client.post(SUBSCRIBE, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check-your-email")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.name, subscriber.status) == ("rosa@example.org", "Rosa", "pending")
    [message] = mailoutbox
    assert message.to == ["rosa@example.org"]
    assert message.alternatives[0][1] == "text/html"
    confirm = link_in(message, "/newsletter/confirm/")

    page = client.get(confirm)  # a mail scanner following the link changes nothing
    assert page.status_code == 200
    assert b"Confirm subscription" in page.content
    assert Subscriber.objects.get().status == "pending"

    done = client.post(confirm)
    assert done.status_code == 200
    assert b"You are subscribed" in done.content
    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed" and subscriber.confirmed_at is not None


def _without_csrf(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content.decode())


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(client, send, mailoutbox):
    Subscriber.objects.create(email="rosa@example.org", status="subscribed")
    with send():
        known = client.post(SUBSCRIBE, GOOD, follow=True)
    unknown = client.post(SUBSCRIBE, {**GOOD, "email": "new@example.org"}, follow=True)
    assert known.redirect_chain == [(reverse("newsletter:check-your-email"), 302)]
    assert unknown.redirect_chain == known.redirect_chain
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    # Only the address's owner learns it was subscribed already.
    [message] = mailoutbox
    assert "already subscribed" in message.subject
    assert Subscriber.objects.get(email="rosa@example.org").status == "subscribed"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"name": "Rosa", "consent": "on"}, "email", "Enter your email address"),
        (
            {"email": "not-an-address", "consent": "on"},
            "email",
            "Enter an email address in the correct format",
        ),
        ({"email": "rosa@example.org"}, "consent", "Tick the box to agree to get the newsletter"),
        (
            {"email": "rosa@example.org", "name": "x" * 151, "consent": "on"},
            "name",
            "150 characters or fewer",
        ),
    ],
)
def test_bad_input_is_shown_by_the_field_and_nothing_is_stored(client, data, field, error):
    response = client.post(SUBSCRIBE, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and error in html
    assert f'href="#id_{field}"' in html
    assert Subscriber.objects.count() == 0
    assert Email.objects.count() == 0


def test_signing_up_is_throttled_per_address(client):
    for _ in range(3):
        assert client.post(SUBSCRIBE, GOOD).status_code == 302
    response = client.post(SUBSCRIBE, GOOD)
    assert response.status_code == 429
    assert "tried to subscribe too many times" in response.content.decode()
    assert Email.objects.filter(kind="newsletter.confirm").count() == 3


def test_a_forged_confirmation_link_is_refused(client):
    subscriber = Subscriber.objects.create(email="rosa@example.org")
    response = client.post(reverse("newsletter:subscriber-confirm", args=["forged:token"]))
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"


def test_a_confirmation_link_expires_with_the_sign_up(client, send, mailoutbox):
    with send():
        client.post(SUBSCRIBE, GOOD)
    confirm = link_in(mailoutbox[0], "/newsletter/confirm/")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.post(confirm).status_code == 400
        subscribers_purge()
    assert Subscriber.objects.count() == 0


def test_a_signed_in_member_subscribes_with_one_button(client, member, send, mailoutbox):
    client.force_login(member)
    page = client.get(reverse("newsletter:newsletter"))
    assert f"We will send it to {member.email}" in page.content.decode()
    with send():
        response = client.post(reverse("newsletter:subscribe-member"), follow=True)
    assert "You are subscribed to the monthly newsletter" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.user, subscriber.status) == (member.email, member, "subscribed")
    assert mailoutbox == []  # the account's address is verified already
    unsubscribe = re.search(r'href="(/newsletter/unsubscribe/[^"]+)"', response.content.decode())[1]
    client.post(unsubscribe)
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_one_button_needs_a_signed_in_member_and_a_post(client, member):
    assert client.post(reverse("newsletter:subscribe-member")).status_code == 302  # to sign in
    client.force_login(member)
    assert client.get(reverse("newsletter:subscribe-member")).status_code == 405
    assert Subscriber.objects.count() == 0


def test_unsubscribe_get_changes_nothing_and_one_click_post_unsubscribes(client):
    subscriber = Subscriber.objects.create(email="rosa@example.org", status="subscribed")
    url = reverse(
        "newsletter:unsubscribe",
        args=[unsubscribe_token(subscriber_id=subscriber.pk, email=subscriber.email)],
    )
    page = client.get(url)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed"

    # A mail client's RFC 8058 one-click: no session, no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_a_forged_unsubscribe_link_is_refused_and_changes_nothing(client):
    subscriber = Subscriber.objects.create(email="rosa@example.org", status="subscribed")
    token = unsubscribe_token(subscriber_id=subscriber.pk, email=subscriber.email)
    for forged in [token[:-2] + "xx", "nonsense"]:
        url = reverse("newsletter:unsubscribe", args=[forged])
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed"


def test_an_unsubscribed_address_is_deleted_after_30_days_keeping_only_its_hash():
    subscriber = Subscriber.objects.create(email="rosa@example.org", status="subscribed")
    subscriber_unsubscribe(subscriber=subscriber)
    assert subscribers_purge() == {"pending_deleted": 0, "unsubscribed_deleted": 0}
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert subscribers_purge()["unsubscribed_deleted"] == 1
    assert Subscriber.objects.count() == 0
    [kept] = UnsubscribedAddress.objects.all()
    assert kept.email_hash == email_hash("rosa@example.org")
    assert "rosa" not in kept.email_hash


def test_the_footer_of_every_page_has_the_sign_up_form(client):
    html = client.get(reverse("home")).content.decode()
    assert 'action="/newsletter/subscribe/"' in html
    assert 'id="footer-newsletter-email"' in html and 'name="consent"' in html
