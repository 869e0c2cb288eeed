"""The events pages do no work they do not show: no query for what a kept part shows, no
waiting-list arithmetic for someone waiting for nothing, and cards drawn as plain markup that
still escapes what staff type."""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event, Registration
from tests.factories import EventFactory, SpeakerFactory


def test_a_kept_about_part_needs_no_query_for_the_speakers(client, member):
    event = EventFactory(slug="with-speakers", description="What we found.")
    SpeakerFactory(event=event, name="Ada Lovelace")
    client.force_login(member)
    url = reverse("events:event-detail", args=[event.slug])
    assert "Ada Lovelace" in client.get(url).content.decode()
    caches["pages"].clear()  # the whole page drawn again, its "about" part kept
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert "Ada Lovelace" in response.content.decode()
    assert not [query["sql"] for query in queries if "events_speaker" in query["sql"]]


def test_your_events_counts_who_is_ahead_in_its_one_query_of_registrations(client, member, outsider):
    """No query of its own for the waiting places: the registrations' query counts who is ahead,
    for the waiting ones only, whether the person waits for nothing or in several queues."""
    Registration.objects.create(event=EventFactory(), user=member, status=Registration.Status.CONFIRMED)
    client.force_login(member)
    client.get(reverse("home"))  # the first request after signing in refreshes the session

    def queries() -> int:
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("events:my-events")).status_code == 200
        return len(captured)

    waiting_for_nothing = queries()
    for position in (1, 2):
        Registration.objects.create(
            event=EventFactory(capacity=0),
            user=member,
            status=Registration.Status.WAITLISTED,
            waitlist_position=position,
        )
    assert queries() == waiting_for_nothing


def test_your_events_gives_each_queue_its_own_place(client, member, outsider):
    hybrid = EventFactory(mode=Event.Mode.HYBRID, capacity=1, online_capacity=1, venue="City Hall")
    other = EventFactory()
    for position, (event, mode, user) in enumerate(
        [
            (hybrid, Registration.Mode.ONLINE, outsider),
            (hybrid, Registration.Mode.IN_PERSON, member),
            (other, "", outsider),
        ],
        start=1,
    ):
        Registration.objects.create(
            event=event,
            user=user,
            mode=mode,
            status=Registration.Status.WAITLISTED,
            waitlist_position=position,
        )
    Registration.objects.create(
        event=other, user=member, status=Registration.Status.WAITLISTED, waitlist_position=9
    )
    client.force_login(member)
    page = client.get(reverse("events:my-events")).content.decode()
    # In person at the hybrid session nobody is ahead (the one before waits online); at the
    # other session one person is.
    assert page.count("<dt>Waiting list</dt><dd>Number 1</dd>") == 1
    assert page.count("<dt>Waiting list</dt><dd>Number 2</dd>") == 1


def test_cards_escape_what_staff_typed(client, member):
    EventFactory(title="Data <b>&</b> you", summary='Bring "questions" <script>', venue="Hall <1>")
    client.force_login(member)
    page = client.get(reverse("events:event-list")).content.decode()
    assert "Data &lt;b&gt;&amp;&lt;/b&gt; you" in page
    assert "Bring &quot;questions&quot; &lt;script&gt;" in page
    assert "<script>" not in page.split('<main class="govuk-main-wrapper"')[1].split("</main>")[0]
