""" "Your events" is kept under the versions of the events it shows and of the person, so people
registering for other sessions do not draw it again, while any change it shows (a place in the
queue moving up, a new registration, an event renamed) shows at once."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from events.selectors import waitlist_rank
from events.services import registration_cancel, registration_create
from loti_portal import versions
from tests.factories import EventFactory, RegistrationFactory, UserFactory

Status = Registration.Status
PATH = reverse("events:my-events")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _get(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PATH)
    assert response.status_code == 200
    # Each request has its own CSRF token.
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode()), len(captured)


@pytest.fixture
def queue(member, outsider):
    """A full session where the outsider waits first and the member second."""
    event = EventFactory(title="Full session", capacity=0)
    ahead = RegistrationFactory(event=event, user=outsider, status=Status.WAITLISTED, waitlist_position=1)
    RegistrationFactory(event=event, user=member, status=Status.WAITLISTED, waitlist_position=2)
    return event, ahead


def test_people_registering_elsewhere_do_not_draw_it_again(
    client, member, outsider, queue, django_capture_on_commit_callbacks
):
    client.force_login(member)
    client.get(reverse("home"))  # the first request after signing in refreshes the session
    first, drawn = _get(client)
    elsewhere = EventFactory(title="Another session", capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=elsewhere, user=outsider, answers={}, acting_user=outsider)
    again, kept = _get(client)
    assert again == first and kept < drawn


def test_a_place_moving_up_in_the_queue_shows_at_once(
    client, member, outsider, queue, django_capture_on_commit_callbacks
):
    _event, ahead = queue
    client.force_login(member)
    assert "<dt>Waiting list</dt><dd>Number 2</dd>" in _get(client)[0]
    _get(client)  # kept
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=ahead, acting_user=outsider)
    assert "<dt>Waiting list</dt><dd>Number 1</dd>" in _get(client)[0]


def test_a_new_registration_and_a_renamed_event_show_at_once(
    client, member, queue, django_capture_on_commit_callbacks
):
    event, _ahead = queue
    client.force_login(member)
    _get(client)
    _get(client)  # kept
    other = EventFactory(title="Newly booked", capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=other, user=member, answers={}, acting_user=member)
    assert "Newly booked" in _get(client)[0]
    Event.objects.filter(pk=event.pk).update(title="Renamed session")
    with django_capture_on_commit_callbacks(execute=True):
        versions.event_changed(slug=event.slug)  # as the services do when an event is saved
    assert "Renamed session" in _get(client)[0]


def test_each_waiting_place_is_the_one_waitlist_rank_gives(client, member, outsider):
    """The page counts who is ahead in its one query; it must say what waitlist_rank() says,
    for each queue of a hybrid session and for a queue with gaps and people who left it."""
    hybrid = EventFactory(mode=Event.Mode.HYBRID, capacity=0, online_capacity=0, venue="City Hall")
    gaps = EventFactory(capacity=0)
    others = UserFactory.create_batch(4)
    for position, (event, mode, user, status) in enumerate(
        [
            (hybrid, Registration.Mode.ONLINE, others[0], Status.WAITLISTED),
            (hybrid, Registration.Mode.IN_PERSON, others[1], Status.WAITLISTED),
            (hybrid, Registration.Mode.IN_PERSON, member, Status.WAITLISTED),
            (gaps, "", others[2], Status.CANCELLED),
            (gaps, "", others[3], Status.WAITLISTED),
            (gaps, "", outsider, Status.WAITLISTED),
            (gaps, "", member, Status.WAITLISTED),
        ],
        start=1,
    ):
        RegistrationFactory(
            event=event,
            user=user,
            mode=mode,
            status=status,
            waitlist_position=position * 3 if status == Status.WAITLISTED else None,
        )
    client.force_login(member)
    html = _get(client)[0]
    for registration in Registration.objects.filter(user=member):
        rank = waitlist_rank(registration)
        card = html.split(f">{registration.event.title}</a></h3>")[1].split("</li>")[0]
        assert f"<dt>Waiting list</dt><dd>Number {rank}</dd>" in card
    assert [waitlist_rank(r) for r in Registration.objects.filter(user=member).order_by("event")] == [2, 3]


def test_past_rows_escape_titles_and_offer_the_certificate(client, member):
    start = timezone.now() - timedelta(days=3)
    course = EventFactory(
        title="Data <b>&</b> you",
        kind=Event.Kind.TRAINING,
        certificates_enabled=True,
        start=start,
        end=start + timedelta(hours=2),
    )
    RegistrationFactory(event=course, user=member, status=Status.ATTENDED)
    called_off = EventFactory(
        title="Called off", status=Event.Status.CANCELLED, start=start, end=start + timedelta(hours=1)
    )
    RegistrationFactory(event=called_off, user=member, status=Status.CONFIRMED)
    client.force_login(member)
    html = _get(client)[0]
    download = reverse("certificates:certificate-download", args=[course.slug])
    assert (
        f'<br><a class="govuk-link" href="{download}" download>Download your certificate'
        '<span class="govuk-visually-hidden"> for Data &lt;b&gt;&amp;&lt;/b&gt; you</span> (PDF)</a>'
    ) in html
    assert '<td class="govuk-table__cell">Attended</td>' in html
    assert '<td class="govuk-table__cell">Event cancelled</td>' in html
    assert "<b>&</b>" not in html


def test_it_shows_only_the_persons_own_registrations_to_them(client, member, outsider, queue):
    RegistrationFactory(event=EventFactory(title="Outsider only"), user=outsider)
    client.force_login(member)
    mine = _get(client)[0]
    client.force_login(outsider)
    theirs = _get(client)[0]
    assert "Outsider only" not in mine and "Outsider only" in theirs
    assert "Number 2" in mine and "Number 1" in theirs
