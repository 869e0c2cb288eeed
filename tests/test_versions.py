"""Whole pages kept under versions (loti_portal/versions.py): served again until what they show
changes, never to another person, never with an old CSRF token or a message in them, and drawn
afresh when the cache cannot be read."""

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.services import registration_create
from loti_portal import versions
from tests.factories import EventFactory

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def _get(client: Client, path: str) -> tuple[str, int]:
    """The page (its CSRF tokens emptied: each request has its own) and the queries it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode()), len(captured)


def _tokens(client: Client, path: str) -> list[str]:
    return TOKEN.findall(client.get(path).content.decode())


@pytest.fixture
def event(db):
    return EventFactory(capacity=10)


def test_a_page_is_kept_until_what_it_shows_changes(
    client, member, event, django_capture_on_commit_callbacks
):
    client.force_login(member)
    path = reverse("events:event-detail", args=[event.slug])
    first, drawn = _get(client, path)
    again, kept = _get(client, path)
    assert again == first and kept < drawn
    assert "You have a place" not in again

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=member, answers={}, acting_user=member)
    after, queries = _get(client, path)
    assert "You have a place" in after and queries > kept


def test_only_the_change_after_commit_is_needed(client, member, event, django_capture_on_commit_callbacks):
    """The tokens renewed after commit alone make the page afresh (the change was in the
    transaction, which a page drawn meanwhile could have missed)."""
    client.force_login(member)
    path = reverse("events:event-list")
    _get(client, path)
    with django_capture_on_commit_callbacks() as callbacks:
        versions.event_changed(slug=event.slug)
    _get(client, path)  # kept again under the tokens of the transaction
    _, kept = _get(client, path)
    for callback in callbacks:
        callback()
    _, drawn = _get(client, path)
    assert drawn > kept


def test_one_persons_page_is_never_served_to_another(member, staff, event):
    registration_create(event=event, user=member, answers={}, acting_user=member)
    path = reverse("events:event-detail", args=[event.slug])
    mine, theirs = Client(), Client()
    mine.force_login(member)
    theirs.force_login(staff)
    assert "You have a place" in _get(mine, path)[0]
    assert "You have a place" not in _get(theirs, path)[0]
    assert "You have a place" not in _get(Client(), reverse("events:event-list"))[0]


def test_a_kept_page_carries_this_requests_csrf_token(member, event):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    path = reverse("events:my-events")  # the form for a calendar address
    drawn = _tokens(browser, path)
    tokens = _tokens(browser, path)  # from the cache
    assert tokens and all(tokens) and tokens != drawn
    response = browser.post(reverse("newsletter:subscribe-member"), {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code != 403


def test_a_kept_page_without_a_form_is_served_without_making_a_csrf_token(member, event):
    """Making a token costs a kept page more than the rest of serving it: only pages with a form
    make one (and set the cookie it goes with)."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    path = reverse("events:event-list")
    browser.get(path)
    kept = browser.get(path)
    assert TOKEN.findall(kept.content.decode()) == []
    assert settings.CSRF_COOKIE_NAME not in kept.cookies
    with_form = browser.get(reverse("events:my-events"))
    assert with_form.cookies[settings.CSRF_COOKIE_NAME].value


def test_a_message_is_shown_once_and_never_kept(client, member, event):
    client.force_login(member)
    registration_create(event=event, user=member, answers={}, acting_user=member)
    my_events = reverse("events:my-events")
    _get(client, my_events)
    response = client.post(reverse("events:event-cancel", args=[event.slug]), follow=True)
    assert response.redirect_chain[-1][0] == my_events
    assert "has been cancelled" in response.content.decode()
    assert "has been cancelled" not in _get(client, my_events)[0]


def test_pages_are_drawn_afresh_when_the_cache_cannot_be_read(client, member, event, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "loti_portal.cache_fail_soft.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    client.force_login(member)
    client.get(reverse("home"))  # the first request after signing in refreshes the session
    path = reverse("events:event-detail", args=[event.slug])
    first, drawn = _get(client, path)
    caches["fragments"].clear()  # the parts kept in the process are not what this is about
    again, queries = _get(client, path)
    assert again == first and queries == drawn


def test_being_marked_attended_shows_the_certificate_at_once(
    client, member, staff, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event, Registration
    from events.services import registration_mark_attendance
    from tests.factories import RegistrationFactory

    start = timezone.now() - timedelta(days=2)
    course = EventFactory(kind=Event.Kind.TRAINING, start=start, end=start + timedelta(hours=3))
    registration = RegistrationFactory(event=course, user=member, status=Registration.Status.CONFIRMED)
    client.force_login(member)
    path = reverse("events:event-detail", args=[course.slug])
    assert "Download your certificate" not in _get(client, path)[0]
    _get(client, path)  # kept
    with django_capture_on_commit_callbacks(execute=True):
        registration_mark_attendance(registration=registration, attended=True, acting_user=staff)
    assert "Download your certificate" in _get(client, path)[0]


def test_materials_shared_after_a_session_show_at_once(
    client, member, staff, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from followup.services import material_add
    from networks.models import Membership
    from tests.factories import NetworkFactory

    network = NetworkFactory()
    Membership.objects.create(
        network=network, user=member, status=Membership.Status.ACTIVE, joined_at=timezone.now()
    )
    start = timezone.now() - timedelta(days=1)
    past = EventFactory(network=network, start=start, end=start + timedelta(hours=2))
    client.force_login(member)
    path = reverse("events:event-detail", args=[past.slug])
    assert "Recording of the session" not in _get(client, path)[0]
    _get(client, path)  # kept
    with django_capture_on_commit_callbacks(execute=True):
        material_add(
            event=past,
            kind="recording",
            title="Recording of the session",
            url="https://stream.example/r",
            acting_user=staff,
        )
    assert "Recording of the session" in _get(client, path)[0]
