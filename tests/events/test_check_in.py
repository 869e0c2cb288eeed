"""Check-in on the day: staff search and tick people in; the rest are marked as not having come
once the session has ended."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEntry
from events.models import Registration
from events.services import events_mark_no_shows
from events.tasks import no_shows_mark
from tests.factories import EventFactory, RegistrationFactory, UserFactory

Status = Registration.Status


@pytest.fixture
def session(db):
    event = EventFactory(title="Data Leaders away day", slug="away-day")
    amara = RegistrationFactory(event=event, user=UserFactory(full_name="Amara Okafor"))
    ben = RegistrationFactory(event=event, user=UserFactory(full_name="Ben Lewis"))
    waiting = RegistrationFactory(
        event=event,
        user=UserFactory(full_name="Wendy Waiting"),
        status=Status.WAITLISTED,
        waitlist_position=1,
    )
    return event, amara, ben, waiting


def test_staff_see_the_people_with_a_place_and_search_by_name(client, staff, session):
    event, *_ = session
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    page = client.get(url).content.decode()
    assert "Amara Okafor" in page and "Ben Lewis" in page and "Wendy Waiting" not in page
    page = client.get(url, {"q": "amara"}).content.decode()
    assert "Amara Okafor" in page and "Ben Lewis" not in page
    assert "Nobody with a place matches" in client.get(url, {"q": "zed"}).content.decode()


def test_guests_with_a_place_are_listed_and_found_by_the_name_they_gave(client, staff, session):
    event, *_ = session
    RegistrationFactory(event=event, user=None, guest_name="Priya Shah", guest_email="priya@gmail.com")
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    page = client.get(url).content.decode()
    assert "Priya Shah (guest)" in page and "Deleted account" not in page
    assert page.index("Ben Lewis") < page.index("Priya Shah")
    page = client.get(url, {"q": "priya@gmail"}).content.decode()
    assert "Priya Shah (guest)" in page and "Amara Okafor" not in page


def test_only_staff_may_check_people_in(client, member, session):
    event, amara, *_ = session
    url = reverse("events:event-check-in", args=[event.slug])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 302 and "Amara" not in response.content.decode()
    with time_machine.travel(event.start):
        client.post(url, {"registration": amara.pk, "attended": "yes"})
    amara.refresh_from_db()
    assert amara.status == Status.CONFIRMED


def test_ticking_someone_in_from_an_hour_before_and_undoing_it(client, staff, session):
    event, amara, *_ = session
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    with time_machine.travel(event.start - timedelta(minutes=61)):
        response = client.post(url, {"registration": amara.pk, "attended": "yes"}, follow=True)
        assert "check-in opens an hour before" in response.content.decode()
    amara.refresh_from_db()
    assert amara.status == Status.CONFIRMED
    with time_machine.travel(event.start - timedelta(minutes=30)):
        response = client.post(url, {"registration": amara.pk, "attended": "yes", "q": "ama"})
        assert response.status_code == 302 and f"#person-{amara.pk}" in response["Location"]
        amara.refresh_from_db()
        assert amara.status == Status.ATTENDED
        client.post(url, {"registration": amara.pk, "attended": "no"})
    amara.refresh_from_db()
    assert amara.status == Status.NO_SHOW


def test_bad_input_changes_nothing_and_is_never_a_500(client, staff, session):
    event, amara, _, waiting = session
    other = RegistrationFactory(event=EventFactory())
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    with time_machine.travel(event.start):
        assert client.post(url, {"registration": amara.pk, "attended": "maybe"}).status_code == 404
        assert client.post(url, {"registration": other.pk, "attended": "yes"}).status_code == 404
        assert client.post(url, {"registration": "x", "attended": "yes"}).status_code == 404
        response = client.post(url, {"registration": waiting.pk, "attended": "yes"}, follow=True)
        assert "did not have a place" in response.content.decode()
        assert client.put(url).status_code == 405
    assert not Registration.objects.filter(status=Status.ATTENDED).exists()


def test_the_rest_are_marked_no_show_once_the_session_has_ended(session):
    event, amara, ben, waiting = session
    Registration.objects.filter(pk=amara.pk).update(status=Status.ATTENDED)
    with time_machine.travel(event.end - timedelta(minutes=1)):
        assert events_mark_no_shows() == 0
    with time_machine.travel(event.end + timedelta(minutes=5)):
        assert no_shows_mark.delay().get() == 1
        assert events_mark_no_shows() == 0
    statuses = dict(Registration.objects.filter(event=event).values_list("pk", "status"))
    assert statuses == {amara.pk: Status.ATTENDED, ben.pk: Status.NO_SHOW, waiting.pk: Status.WAITLISTED}
    assert AuditEntry.objects.filter(action="events.event.no_shows_marked").count() == 1


def test_the_check_in_page_runs_a_fixed_number_of_queries(
    client, staff, session, django_assert_max_num_queries
):
    event, *_ = session
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for _ in range(20):
        RegistrationFactory(event=event)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_a_walk_in_is_added_and_checked_in_even_when_full(client, staff, db):
    event = EventFactory(slug="full-day", capacity=1)
    RegistrationFactory(event=event)
    walk_in = UserFactory(email="wanda@camden.gov.uk", full_name="Wanda Walk-in")
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    with time_machine.travel(event.start):
        response = client.post(url, {"walk_in_email": "Wanda@Camden.gov.uk"})
        assert response.status_code == 302
        client.post(url, {"walk_in_email": "wanda@camden.gov.uk"})  # twice is harmless
    registration = Registration.objects.get(event=event, user=walk_in)
    assert registration.status == Status.ATTENDED
    assert AuditEntry.objects.filter(action="events.registration.walk_in").count() == 1


def test_a_walk_in_is_explained_next_to_the_field_when_something_is_missing_or_too_early(client, staff, db):
    event = EventFactory(slug="walk-in-day")
    UserFactory(email="early@camden.gov.uk")
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    with time_machine.travel(event.start):
        for data, words, field in (
            (
                {"walk_in_name": "", "walk_in_email": ""},
                "Enter the name of the person who came",
                "walk-in-name",
            ),
            ({"walk_in_email": "nobody@camden.gov.uk"}, "Enter their name: no account uses", "walk-in-name"),
            ({"walk_in_name": "Wanda", "walk_in_email": "not an address"}, "correct format", "walk-in-email"),
        ):
            response = client.post(url, data)
            page = response.content.decode()
            assert response.status_code == 400
            assert "govuk-error-summary" in page and words in page and f'href="#{field}"' in page
    response = client.post(url, {"walk_in_email": "early@camden.gov.uk"})
    assert response.status_code == 400 and "check-in opens an hour before" in response.content.decode()
    response = client.post(url, {"walk_in_name": "Early Guest"})
    assert response.status_code == 400 and "check-in opens an hour before" in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()


def test_a_walk_in_without_an_account_is_added_by_name_as_an_attended_guest(client, staff, db):
    event = EventFactory(slug="full-course", capacity=1)
    RegistrationFactory(event=event)
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    with time_machine.travel(event.start):
        response = client.post(url, {"walk_in_name": "Wendy Walk-in", "walk_in_email": ""})
        assert response.status_code == 302
        walk_in = Registration.objects.get(event=event, guest_name="Wendy Walk-in")
        assert f"#person-{walk_in.pk}" in response["Location"]
        page = client.get(url).content.decode()
    assert walk_in.status == Status.ATTENDED and walk_in.user is None and walk_in.guest_email == ""
    assert "Wendy Walk-in (guest)" in page
    # In the room, so among the places taken: over the capacity, and said so.
    assert "1 checked in, 1 still expected" in page
    assert "That is 1 more than the 1 place" in page
    assert AuditEntry.objects.filter(action="events.registration.walk_in").count() == 1


def test_a_guest_already_registered_is_checked_in_by_their_email_not_added_twice(client, staff, db):
    event = EventFactory(slug="careers-day", capacity=5)
    guest = RegistrationFactory(
        event=event,
        user=None,
        guest_name="Priya Shah",
        guest_email="priya@gmail.com",
        status=Status.WAITLISTED,
        waitlist_position=1,
    )
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    with time_machine.travel(event.start):
        client.post(url, {"walk_in_name": "", "walk_in_email": "Priya@Gmail.com"})
        client.post(url, {"walk_in_name": "Priya S", "walk_in_email": "priya@gmail.com"})  # twice
    guest.refresh_from_db()
    assert guest.status == Status.ATTENDED and guest.waitlist_position is None
    assert Registration.objects.filter(event=event).count() == 1


def test_an_email_with_an_account_checks_in_the_member_whatever_name_is_typed(client, staff, db):
    event = EventFactory(slug="member-walk-in")
    member = UserFactory(email="wanda@camden.gov.uk", full_name="Wanda Member")
    client.force_login(staff)
    url = reverse("events:event-check-in", args=[event.slug])
    with time_machine.travel(event.start):
        client.post(url, {"walk_in_name": "W. M.", "walk_in_email": "wanda@camden.gov.uk"})
    registration = Registration.objects.get(event=event)
    assert registration.user == member and registration.guest_name == ""
    assert registration.status == Status.ATTENDED
