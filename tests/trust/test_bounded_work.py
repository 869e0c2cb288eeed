"""No request does unbounded work because of what someone typed or stored: Markdown has limits
with a message by the field, page numbers come from a fixed set, feeds are rate-limited.

Work is counted, not timed: the Python calls a render makes (cProfile) and whether the Markdown
library is reached at all, so each test fails when its bound is removed, however fast the box."""

import cProfile
import pstats
from pathlib import Path

import markdown as markdown_library
import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape, linebreaks

from events.models import Event
from events.services import calendar_feed_regenerate
from loti_portal.markdown import markdown_problem, render_markdown
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


LIBRARY = str(Path(markdown_library.__file__).parent)
# What rendering costs at the limits of validate_markdown: about 620,000 calls for 20 stray
# brackets in 10,000 characters, the worst case, here. Without the limits, 3,000 brackets alone
# take some 13.5 million (the library's work grows with the square of their number).
CALL_BUDGET = 1_500_000
# Each text at a limit, and the same text one step beyond it.
AT_THE_LIMITS = {
    "stray brackets": ("[" * 20 + "x" * 9_900, "[" * 21 + "x" * 9_900),
    "links": ("[a](b) " * 1_400, "[a](b) " * 1_400 + "x" * 201),
    "quotes": ("> " * 8 + "x", "> " * 9 + "x"),
    "indented": ("    " * 7 + "- x", "    " * 8 + "- x"),
}
BEYOND_THE_LIMITS = {
    "brackets": "[" * 3_000,
    "too long": "Plain words. " * 800,
    "indented": NESTED,
    "inline": "1. " * 800,
    "quotes": "> " * 100 + "x",
}


def profiled(function, *args) -> tuple[int, int]:
    """The Python calls function(*args) makes: all of them, and those into the Markdown library."""
    profile = cProfile.Profile()
    profile.runcall(function, *args)
    stats = pstats.Stats(profile).stats
    library = sum(calls for (filename, _, _), (_, calls, *_) in stats.items() if filename.startswith(LIBRARY))
    return sum(calls for _, calls, *_ in stats.values()), library


@pytest.fixture
def fresh_renders():
    """render_markdown keeps what it made: every render here is done afresh."""
    render_markdown.cache_clear()
    yield
    render_markdown.cache_clear()


@pytest.mark.parametrize(
    "stored", ["[" * 20_000, NESTED, "1. " * 800], ids=["brackets", "indented", "inline"]
)
def test_a_stored_description_beyond_the_limits_is_shown_without_the_markdown_library(
    client, db, stored, fresh_renders
):
    network = NetworkFactory(name="Data Practitioners")
    Network.objects.filter(pk=network.pk).update(description=stored, description_html="")
    EventFactory(slug="stored-session")
    Event.objects.filter(slug="stored-session").update(description=stored, description_html="")

    def both_pages():
        return [
            client.get(reverse("networks:network-detail", args=[network.slug])),
            client.get(reverse("events:event-detail", args=["stored-session"])),
        ]

    responses = []
    _, library_calls = profiled(lambda: responses.extend(both_pages()))
    assert [response.status_code for response in responses] == [200, 200]
    assert library_calls == 0
    shown = str(linebreaks(escape(stored)))[:200]
    assert all(shown in response.content.decode() for response in responses)


@pytest.mark.parametrize(("text", "one_step_beyond"), AT_THE_LIMITS.values(), ids=AT_THE_LIMITS.keys())
def test_markdown_at_its_limits_renders_within_a_fixed_number_of_calls(text, one_step_beyond, fresh_renders):
    assert markdown_problem(text) is None
    assert markdown_problem(one_step_beyond) is not None
    calls, library_calls = profiled(render_markdown, text)
    assert library_calls > 0  # rendered as Markdown
    assert calls < CALL_BUDGET


@pytest.mark.parametrize("text", BEYOND_THE_LIMITS.values(), ids=BEYOND_THE_LIMITS.keys())
def test_markdown_beyond_its_limits_is_shown_as_plain_paragraphs_in_a_few_calls(text, fresh_renders):
    calls, library_calls = profiled(render_markdown, text)
    assert library_calls == 0
    assert calls < 1_000
    assert render_markdown(text) == linebreaks(escape(text))


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
