"""No request does unbounded work because of what someone typed or stored: Markdown has limits
with a message by the field, page numbers come from a fixed set, feeds are rate-limited."""

import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from events.services import calendar_feed_regenerate
from loti_portal.markdown import render_markdown
from networks.models import Network
from tests.events.test_admin import change_form_data
from tests.factories import EventFactory, NetworkFactory

ROOT = Path(__file__).resolve().parents[2]
NESTED = "".join("    " * level + "- deeper\n" for level in range(800))


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("[" * 20_000, "Use 10,000 characters or fewer"),
        ("[" * 50 + " a note", "Use at most 20 square brackets"),
        ("- " * 800 + "x", "Nest lists and quotes at most 8 levels deep"),
        ("> " * 100 + "x", "Nest lists and quotes at most 8 levels deep"),
    ],
    ids=["20 KB of brackets", "stray brackets", "800 nested lists", "100 nested quotes"],
)
def test_a_description_too_big_or_too_deep_is_refused_next_to_the_field(staff_client, description, message):
    event = EventFactory(description="Short and *sweet*.")
    data = change_form_data(staff_client, event)
    data["description"] = description
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    field = html[html.index('<ul class="errorlist" id="id_description_error">') :]
    assert message in field[: field.index("</ul>")]
    event.refresh_from_db()
    assert event.description == "Short and *sweet*."


def test_ordinary_markdown_with_many_links_is_accepted(staff_client):
    event = EventFactory()
    data = change_form_data(staff_client, event)
    data["description"] = "\n".join(f"- [Paper {n}](https://example.org/{n})" for n in range(150))
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 302
    assert "Paper 149" in Client().get(reverse("events:event-detail", args=[event.slug])).content.decode()


@pytest.mark.parametrize(
    "stored", ["[" * 20_000, NESTED, "1. " * 800], ids=["brackets", "indented", "inline"]
)
def test_a_stored_description_beyond_the_limits_still_shows_quickly(client, db, stored):
    network = NetworkFactory(name="Data Practitioners")
    Network.objects.filter(pk=network.pk).update(description=stored)
    EventFactory(slug="stored-session")
    Event.objects.filter(slug="stored-session").update(description=stored)
    started = time.monotonic()
    assert client.get(reverse("networks:network-detail", args=[network.slug])).status_code == 200
    assert client.get(reverse("events:event-detail", args=["stored-session"])).status_code == 200
    assert time.monotonic() - started < 3


def test_markdown_limits_bound_the_rendering_time():
    started = time.monotonic()
    for text in ["[" * 20 + "x" * 9_900, "[a](b) " * 1_400, "> " * 8 + "x"]:
        render_markdown(text)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("raw", ["abc", "-5", "0", "99999999999999", "1e9", " 3 ", ""])
def test_any_page_number_answers_and_names_one_of_a_fixed_set_of_listings(client, db, raw):
    EventFactory.create_batch(3)
    response = client.get(reverse("events:event-list"), {"page": raw})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_a_personal_feed_is_rate_limited(member):
    feed = calendar_feed_regenerate(user=member)
    url = reverse("events:calendar-feed", args=[feed.token])
    answers = [Client().get(url).status_code for _ in range(25)]
    assert answers[:20] == [200] * 20
    assert answers[-1] == 429


@pytest.mark.parametrize("path", ["docker-compose.yml", "scripts/services.sh"])
def test_redis_has_a_memory_limit_and_an_eviction_policy(path):
    text = (ROOT / path).read_text()
    assert "--maxmemory" in text
    assert "--maxmemory-policy" in text and "volatile-lru" in text


def test_a_description_is_rendered_once_when_saved_not_on_every_view(staff_client):
    event = EventFactory(slug="rendered-once")
    data = change_form_data(staff_client, event)
    data["description"] = "Bring **your laptop**."
    assert staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data).status_code == 302
    event.refresh_from_db()
    assert event.description_html == '<p class="govuk-body">Bring <strong>your laptop</strong>.</p>'
    # What the page shows is what was stored at save time.
    Event.objects.filter(pk=event.pk).update(description="Changed behind the service's back.")
    page = Client().get(reverse("events:event-detail", args=[event.slug])).content.decode()
    assert "Bring <strong>your laptop</strong>." in page
    assert "behind the service" not in page


def test_a_personal_feed_is_drawn_once_per_version_of_what_it_shows(member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.services import registration_cancel, registration_create

    feed = calendar_feed_regenerate(user=member)
    url = reverse("events:calendar-feed", args=[feed.token])
    events = EventFactory.create_batch(3)
    registrations = [
        registration_create(event=event, user=member, answers={}, acting_user=member) for event in events
    ]

    def fetch():
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(url)
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    first, drawn = fetch()
    again, cached = fetch()
    assert again == first
    assert cached < drawn  # the entries were not read again, only what they depend on

    events[0].title = "Renamed session"
    events[0].save()
    registration_cancel(registration=registrations[1], acting_user=member)
    changed, _ = fetch()
    assert "Renamed session" in changed
    assert events[1].title not in changed
