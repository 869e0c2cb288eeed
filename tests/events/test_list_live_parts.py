"""A kept page of the events list outlives registrations: it is kept under what only editing
events changes (versions.EVENT_DETAILS), and the parts a registration changes, places left and
the person's own status, are filled in afresh each time it is served. Nobody sees a stale count
or their own registration missing, and someone else's registration does not redraw the page."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from events.services import event_save, registration_cancel, registration_create
from tests.factories import EventFactory

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _get(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode()), len(captured)


@pytest.fixture
def event(db):
    return EventFactory(title="Data maturity", capacity=2)


def _commit(django_capture_on_commit_callbacks, change):
    with django_capture_on_commit_callbacks(execute=True):
        return change()


def test_places_left_and_own_status_show_at_once_on_a_kept_page(
    member, outsider, event, django_capture_on_commit_callbacks
):
    path = reverse("events:event-list")
    client = Client()
    client.force_login(member)
    first, drawn = _get(client, path)
    again, kept = _get(client, path)
    assert again == first and kept < drawn
    assert "2 places left of 2" in first

    # Someone else registers: the kept page is served again, with the place they took.
    _commit(
        django_capture_on_commit_callbacks,
        lambda: registration_create(event=event, user=outsider, answers={}, acting_user=outsider),
    )
    page, queries = _get(client, path)
    assert "1 place left of 2" in page and "2 places left" not in page
    assert queries == kept

    # The person registers: their own status and the last place taken show at once.
    mine = _commit(
        django_capture_on_commit_callbacks,
        lambda: registration_create(event=event, user=member, answers={}, acting_user=member),
    )
    page, _ = _get(client, path)
    assert '<strong class="govuk-tag govuk-tag--green">Confirmed</strong>' in page
    assert "Full: you can join the waiting list" in page

    _commit(
        django_capture_on_commit_callbacks,
        lambda: registration_cancel(registration=mine, acting_user=member),
    )
    page, _ = _get(client, path)
    assert "Confirmed</strong>" not in page and "1 place left of 2" in page


def test_a_kept_page_with_live_parts_is_what_a_page_drawn_afresh_shows(
    member, outsider, event, settings, django_capture_on_commit_callbacks
):
    EventFactory(title="Hybrid session", mode=Event.Mode.HYBRID, capacity=3, online_capacity=1)
    path = reverse("events:event-list")
    client = Client()
    client.force_login(member)
    _get(client, path)
    _commit(
        django_capture_on_commit_callbacks,
        lambda: registration_create(event=event, user=member, answers={}, acting_user=member),
    )
    kept, _ = _get(client, path)
    assert "<!--live" not in kept
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    fresh, _ = _get(client, path)
    assert kept == fresh
    assert "<!--live" not in fresh


def test_editing_an_event_still_draws_the_list_afresh(
    member, staff, event, django_capture_on_commit_callbacks
):
    path = reverse("events:event-list")
    client = Client()
    client.force_login(member)
    _get(client, path)
    edited = Event.objects.get(pk=event.pk)
    edited.title = "Data maturity: results"
    _commit(django_capture_on_commit_callbacks, lambda: event_save(event=edited, acting_user=staff))
    assert "Data maturity: results" in _get(client, path)[0]
