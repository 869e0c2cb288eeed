"""People with a place see who else is coming: only the names of those who chose to show them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry, User
from accounts.services import user_update_profile
from events.models import Registration
from tests.factories import EventFactory, RegistrationFactory, UserFactory

HEADING = "Who’s coming"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def session(db, member):
    event = EventFactory(title="Data ethics workshop", capacity=3)
    RegistrationFactory(event=event, user=member)
    shown = UserFactory(full_name="Priya Shown", show_name_to_attendees=True)
    RegistrationFactory(event=event, user=shown)
    RegistrationFactory(event=event, user=UserFactory(full_name="Harry Hidden"))
    waiting = UserFactory(full_name="Wanda Waiting", show_name_to_attendees=True)
    RegistrationFactory(event=event, user=waiting, status=Registration.Status.WAITLISTED, waitlist_position=1)
    cancelled = UserFactory(full_name="Carl Cancelled", show_name_to_attendees=True)
    RegistrationFactory(event=event, user=cancelled, status=Registration.Status.CANCELLED)
    return event


def page(client, event) -> str:
    response = client.get(reverse("events:event-detail", args=[event.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_people_with_a_place_see_only_the_names_shown_and_a_count_of_the_others(client, member, session):
    client.force_login(member)
    html = page(client, session)
    assert HEADING in html
    assert "Priya Shown" in html
    for hidden in ("Harry Hidden", "Wanda Waiting", "Carl Cancelled", "Amara Member"):
        assert hidden not in html.split(HEADING)[1], hidden
    assert "And 2 other people with a place who have not chosen to show their name." in html


def test_a_person_who_opts_in_is_listed_too(client, member, session):
    member.show_name_to_attendees = True
    member.save()
    client.force_login(member)
    html = page(client, session).split(HEADING)[1]
    assert "Amara Member" in html and "And 1 other person with a place who has not chosen" in html


@pytest.mark.parametrize("who", ["anonymous", "not registered", "waiting"])
def test_nobody_without_a_place_sees_the_list(client, session, outsider, who):
    if who == "not registered":
        client.force_login(outsider)
    elif who == "waiting":
        client.force_login(User.objects.get(full_name="Wanda Waiting"))
    html = page(client, session)
    assert HEADING not in html
    assert "Priya Shown" not in html


def test_staff_see_the_list(client, staff, session):
    client.force_login(staff)
    assert "Priya Shown" in page(client, session)


def test_names_with_markup_are_escaped(client, member, session):
    User.objects.filter(full_name="Priya Shown").update(full_name='<script>alert("x")</script>Priya')
    client.force_login(member)
    html = page(client, session)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;Priya" in html


def test_the_list_runs_the_same_queries_however_many_are_coming(client, member):
    counts = []
    for size in (2, 60):
        event = EventFactory()
        RegistrationFactory(event=event, user=member)
        people = User.objects.bulk_create(
            User(email=f"p{size}-{n}@camden.gov.uk", full_name=f"Person {n}", show_name_to_attendees=n < 40)
            for n in range(size)
        )
        Registration.objects.bulk_create(
            Registration(event=event, user=person, status="confirmed") for person in people
        )
        client.force_login(member)
        client.get(reverse("home"))
        with CaptureQueriesContext(connection) as queries:
            html = page(client, event)
        assert f"<li>Person {min(size, 40) - 1}</li>" in html
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_choice_is_made_on_the_profile_page_and_off_by_default(client, member):
    assert member.show_name_to_attendees is False
    client.force_login(member)
    url = reverse("accounts:profile-edit")
    assert "Show my name to other people with a place" in client.get(url).content.decode()

    response = client.post(
        url, {"full_name": "Amara Member", "job_title": "Analyst", "show_name_to_attendees": "on"}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.show_name_to_attendees is True
    entry = AuditEntry.objects.filter(action="accounts.user.profile_updated").latest("id")
    assert entry.data == {"show_name_to_attendees": True}

    client.post(url, {"full_name": "Amara Member", "job_title": "Analyst"})
    member.refresh_from_db()
    assert member.show_name_to_attendees is False


def test_choosing_to_hide_a_name_shows_at_once_on_a_cached_page(client, member, session, committed):
    client.force_login(member)
    assert "Priya Shown" in page(client, session)  # now cached
    shown = User.objects.get(full_name="Priya Shown")
    other = client.__class__()
    other.force_login(shown)
    with committed():
        response = other.post(
            reverse("accounts:profile-edit"),
            {"full_name": shown.full_name, "job_title": shown.job_title},  # the box left unticked
        )
    assert response.status_code == 302
    shown.refresh_from_db()
    assert not shown.show_name_to_attendees
    assert "Priya Shown" not in page(client, session).split(HEADING)[1]


def test_a_changed_name_shows_at_once_on_a_cached_page(client, member, session, committed):
    client.force_login(member)
    assert "Priya Shown" in page(client, session)  # now cached
    shown = User.objects.get(full_name="Priya Shown")
    with committed():
        user_update_profile(user=shown, full_name="Priya Renamed", job_title=shown.job_title)
    html = page(client, session).split(HEADING)[1]
    assert "Priya Renamed" in html and "Priya Shown" not in html


def test_places_kept_for_open_offers_are_not_counted_as_coming(client, member, session):
    """Someone offered a freed place may not take it: they are said apart, not among those coming."""
    Registration.objects.filter(event=session, status=Registration.Status.WAITLISTED).update(
        offer_expires_at=session.start
    )
    no_show = RegistrationFactory(event=session, status=Registration.Status.NO_SHOW)
    client.force_login(member)
    text = page(client, session)
    # Amara (member) and Harry hide their names; Priya shows hers: two others, not three.
    assert "And 2 other people with a place" in text
    assert "1 more place is kept for someone on the waiting list who has been offered it" in text
    assert "Wanda Waiting" not in text
    assert no_show.user.full_name not in text
