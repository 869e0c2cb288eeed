"""Guests: people without an account registering for a public session."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.guest_links import GuestRequest, confirm_token, registration_token, registration_token_read
from events.models import Event, Registration
from events.privacy import registration_answers_expire
from events.services import registration_cancel, registration_create
from events.services.guests import guest_registration_confirm
from outbox.models import Email
from tests.factories import EventFactory, QuestionFactory, RegistrationFactory, UserFactory

from .conftest import calendar_attachment

Status = Registration.Status


@pytest.fixture
def careers_day(db):
    event = EventFactory(
        title="Careers in local government data",
        slug="careers-day",
        audience=Event.Audience.PUBLIC,
        capacity=2,
        venue="City Hall, Kamal Chunchie Way, London E16 1ZE",
    )
    QuestionFactory(
        event=event,
        text="What do you do now?",
        options="Student\nChanging career\nOther",
        position=0,
    )
    return event


def form_data(event, **overrides):
    question = event.questions.get()
    data = {
        "full_name": "Priya Shah",
        "email": "priya.shah@gmail.com",
        f"question_{question.pk}": "Student",
        "access_needs": "Step-free access",
        "privacy": "on",
    }
    data.update(overrides)
    return data


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def confirm_link(message) -> str:
    return next(link for link in links_in(message) if "/confirm/" in link)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def priya_registered(event, *, status, **fields) -> Registration:
    """Priya's guest registration, made directly (as if she had confirmed it)."""
    return RegistrationFactory(
        event=event,
        user=None,
        guest_name="Priya Shah",
        guest_email="priya@gmail.com",
        status=status,
        **fields,
    )


def guest_page(name: str, registration: Registration) -> str:
    """One of the guest's own signed pages ("events:guest-registration", "…-cancel"…)."""
    token = registration_token(registration_id=registration.pk, email=registration.guest_email)
    return reverse(name, args=[registration.event.slug, token])


def confirm_from_email(client, message):
    """Follow the confirmation link in the email and press Confirm."""
    return client.post(path_of(confirm_link(message)))


def register_as_guest(client, event, committed, **overrides):
    with committed():
        response = client.post(
            reverse("events:guest-register", args=[event.slug]), form_data(event, **overrides)
        )
    return response


def test_guest_form_emails_a_confirmation_link_and_holds_no_place(client, careers_day, committed, mailoutbox):
    response = register_as_guest(client, careers_day, committed)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:guest-register-sent", args=[careers_day.slug])
    assert Registration.objects.count() == 0
    assert [message.to for message in mailoutbox] == [["priya.shah@gmail.com"]]
    assert "Confirm your registration" in mailoutbox[0].subject
    assert "/careers-day/confirm/" in confirm_link(mailoutbox[0])
    page = client.get(response["Location"])
    assert "Check your email" in page.content.decode()


def test_confirming_from_the_email_gives_a_place_and_a_signed_link(
    client, careers_day, committed, mailoutbox
):
    register_as_guest(client, careers_day, committed)
    link = path_of(confirm_link(mailoutbox[0]))
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm registration" in page.content.decode()
    assert Registration.objects.count() == 0  # a mail scanner opening the link confirms nothing

    with committed():
        response = client.post(link)
    registration = Registration.objects.get()
    assert (registration.user, registration.status) == (None, Status.CONFIRMED)
    assert (registration.guest_name, registration.guest_email) == ("Priya Shah", "priya.shah@gmail.com")
    assert registration.access_needs == "Step-free access"
    assert list(registration.answers.values()) == ["Student"]
    assert response.status_code == 302 and "/your-registration/" in response["Location"]

    confirmation = mailoutbox[-1]
    assert confirmation.to == ["priya.shah@gmail.com"]
    assert "is confirmed" in confirmation.subject
    assert "Hello Priya" in confirmation.body
    calendar, _ = calendar_attachment(confirmation)
    assert calendar["METHOD"] == "REQUEST"
    your_registration = next(link for link in links_in(confirmation) if "/your-registration/" in link)
    page = client.get(path_of(your_registration)).content.decode()
    assert "You have a place" in page and "Priya Shah" in page and "Student" in page

    # Following the link again changes nothing.
    client.post(link)
    assert Registration.objects.count() == 1


def test_the_same_email_twice_gets_the_same_answer_and_one_registration(
    client, careers_day, committed, mailoutbox
):
    register_as_guest(client, careers_day, committed)
    confirm_from_email(client, mailoutbox[0])
    before = len(mailoutbox)
    second = register_as_guest(
        client, careers_day, committed, email="Priya.Shah@gmail.com", full_name="P Shah"
    )
    assert second["Location"] == reverse("events:guest-register-sent", args=[careers_day.slug])
    assert len(mailoutbox) == before + 1
    confirm_from_email(client, mailoutbox[-1])
    registration = Registration.objects.get()
    assert registration.guest_name == "Priya Shah"


def test_guests_and_members_share_the_places_and_the_waiting_list(careers_day, committed, mailoutbox):
    member = UserFactory()
    registration_create(event=careers_day, user=member, answers={}, acting_user=member)

    def guest(n):
        request = GuestRequest(careers_day.pk, f"Guest {n}", f"guest{n}@gmail.com", {}, "")
        return guest_registration_confirm(request=request)

    first, second, third = guest(1), guest(2), guest(3)
    late_member = UserFactory()
    waiting_member = registration_create(
        event=careers_day, user=late_member, answers={}, acting_user=late_member
    )
    assert first.status == Status.CONFIRMED
    assert (second.status, second.waitlist_position) == (Status.WAITLISTED, 1)
    assert (third.status, third.waitlist_position) == (Status.WAITLISTED, 2)
    assert (waiting_member.status, waiting_member.waitlist_position) == (Status.WAITLISTED, 3)

    with committed():
        registration_cancel(registration=Registration.objects.get(user=member), acting_user=member)
    second.refresh_from_db()
    assert second.status == Status.CONFIRMED
    assert mailoutbox[-1].to == ["guest2@gmail.com"]


def test_cancelling_from_the_link_frees_the_place(client, careers_day, committed, mailoutbox):
    registration = priya_registered(careers_day, status=Status.CONFIRMED)
    with committed():
        response = client.post(guest_page("events:guest-registration-cancel", registration))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    calendar, _ = calendar_attachment(mailoutbox[-1])
    assert calendar["METHOD"] == "CANCEL"
    assert "You cancelled" in client.get(response["Location"]).content.decode()
    assert client.get(guest_page("events:guest-registration-cancel", registration)).status_code == 405


def test_deleting_from_the_link_removes_the_guest(client, careers_day, committed):
    registration = priya_registered(careers_day, status=Status.CONFIRMED)
    with committed():
        response = client.post(guest_page("events:guest-registration-delete", registration))
    assert response.status_code == 200
    assert "Your details have been deleted" in response.content.decode()
    assert not Registration.objects.filter(pk=registration.pk).exists()
    gone = client.get(guest_page("events:guest-registration", registration))
    assert gone.status_code == 410
    assert "deleted" in gone.content.decode()


def test_tampered_links_are_not_found_in_words(client, careers_day):
    request = GuestRequest(careers_day.pk, "Priya Shah", "priya@gmail.com", {}, "")
    token = confirm_token(request)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for url in (
        reverse("events:guest-confirm", args=[careers_day.slug, tampered]),
        reverse("events:guest-confirm", args=[careers_day.slug, "nonsense"]),
        reverse("events:guest-registration", args=[careers_day.slug, "nonsense"]),
        reverse("events:guest-registration-ics", args=[careers_day.slug, "nonsense"]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "This link is not valid" in response.content.decode()
    assert client.post(reverse("events:guest-confirm", args=[careers_day.slug, tampered])).status_code == 404
    assert Registration.objects.count() == 0


def test_a_confirmation_link_for_another_session_is_not_valid(client, careers_day):
    other = EventFactory(audience=Event.Audience.PUBLIC)
    token = confirm_token(GuestRequest(other.pk, "Priya Shah", "priya@gmail.com", {}, ""))
    assert client.post(reverse("events:guest-confirm", args=[careers_day.slug, token])).status_code == 404
    assert Registration.objects.count() == 0


def test_expired_links_are_gone_in_words(client, careers_day):
    token = confirm_token(GuestRequest(careers_day.pk, "Priya Shah", "priya@gmail.com", {}, ""))
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        response = client.post(reverse("events:guest-confirm", args=[careers_day.slug, token]))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Registration.objects.count() == 0

    registration = RegistrationFactory(
        event=careers_day,
        user=None,
        guest_name="Priya",
        guest_email="priya@gmail.com",
        status=Status.CONFIRMED,
    )
    link = reverse(
        "events:guest-registration",
        args=[careers_day.slug, registration_token(registration_id=registration.pk, email="priya@gmail.com")],
    )
    assert client.get(link).status_code == 200
    with time_machine.travel(careers_day.end + timedelta(minutes=1)):
        response = client.get(link)
    assert response.status_code == 410
    assert "This session has ended" in response.content.decode()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"full_name": ""}, "full_name", "Enter your full name"),
        ({"email": "priya"}, "email", "Enter an email address in the correct format"),
        ({"privacy": ""}, "privacy", "Agree to the privacy notice to register"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_nothing_is_sent(
    client, careers_day, mailoutbox, overrides, field, message
):
    data = {key: value for key, value in form_data(careers_day, **overrides).items() if value != ""}
    response = client.post(reverse("events:guest-register", args=[careers_day.slug]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_{field}' in page
    assert message in page
    assert mailoutbox == [] and Email.objects.count() == 0 and Registration.objects.count() == 0


def test_a_missing_answer_is_shown_by_its_question(client, careers_day, mailoutbox):
    question = careers_day.questions.get()
    data = form_data(careers_day)
    del data[f"question_{question.pk}"]
    response = client.post(reverse("events:guest-register", args=[careers_day.slug]), data)
    assert "Select an answer to “What do you do now?”" in response.content.decode()
    assert Email.objects.count() == 0


def test_the_honeypot_pretends_and_sends_nothing(client, careers_day, committed, mailoutbox):
    response = register_as_guest(client, careers_day, committed, website="http://spam.example")
    assert response.status_code == 302
    assert mailoutbox == [] and Email.objects.count() == 0


def test_a_burst_from_one_address_is_throttled_with_nothing_stored(
    client, careers_day, committed, mailoutbox
):
    statuses = []
    for n in range(100):
        response = register_as_guest(client, careers_day, committed, email=f"bot{n}@gmail.com")
        statuses.append(response.status_code)
    assert statuses[:10] == [302] * 10
    assert set(statuses[10:]) == {429}
    assert "too many registrations" in response.content.decode()
    assert Email.objects.count() == 10
    assert Registration.objects.count() == 0


def test_one_email_address_is_throttled_from_any_address(client, careers_day):
    url = reverse("events:guest-register", args=[careers_day.slug])
    statuses = [
        client.post(url, form_data(careers_day), REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert Email.objects.count() == 3


def test_sessions_not_open_to_the_public_take_no_guests(client, db):
    for audience, words in [
        (Event.Audience.BOROUGH_STAFF, "London borough staff only"),
        (Event.Audience.NETWORK_MEMBERS, "members of the network only"),
        (Event.Audience.SIGNED_IN, "people with an account"),
    ]:
        event = EventFactory(audience=audience, network=None)
        page = client.get(reverse("events:event-detail", args=[event.slug])).content.decode()
        assert words in page
        assert reverse("events:guest-register", args=[event.slug]) not in page
        response = client.get(reverse("events:guest-register", args=[event.slug]))
        assert response.status_code == 403
        assert words in response.content.decode() and "full_name" not in response.content.decode()
        token = confirm_token(GuestRequest(event.pk, "Priya Shah", "priya@gmail.com", {}, ""))
        assert client.post(reverse("events:guest-confirm", args=[event.slug, token])).status_code == 403
    assert Registration.objects.count() == 0


def test_a_public_session_page_invites_outsiders_and_can_be_shared(client, careers_day):
    page = client.get(reverse("events:event-detail", args=[careers_day.slug])).content.decode()
    assert "you do not need an account" in page
    assert reverse("events:guest-register", args=[careers_day.slug]) in page
    assert '<meta property="og:title" content="Careers in local government data">' in page
    assert 'property="og:description"' in page
    # One box to copy the address from (the page once had two with the same id).
    assert page.count('id="share-link"') == 1
    assert f'value="{settings.SITE_URL}/events/careers-day/"' in page


def test_a_signed_in_member_is_sent_to_the_member_form(client, member, careers_day):
    client.force_login(member)
    response = client.get(reverse("events:guest-register", args=[careers_day.slug]))
    assert response["Location"] == reverse("events:event-register", args=[careers_day.slug])


def test_an_account_made_with_the_address_takes_the_registration(careers_day, client):
    registration = priya_registered(careers_day, status=Status.CONFIRMED)
    person = UserFactory(email="Priya@gmail.com", organisation=None)
    address, _ = EmailAddress.objects.update_or_create(
        user=person, primary=True, defaults={"email": "Priya@gmail.com", "verified": False}
    )
    key = EmailConfirmationHMAC(address).key
    client.post(reverse("account_confirm_email", args=[key]))
    assert EmailAddress.objects.get(pk=address.pk).verified
    registration.refresh_from_db()
    assert registration.user == person and registration.guest_email == ""
    client.force_login(person)
    assert "Careers in local government data" in client.get(reverse("events:my-events")).content.decode()


def test_retention_deletes_guests_names_and_addresses(careers_day, settings):
    registration = RegistrationFactory(
        event=careers_day,
        user=None,
        guest_name="Priya Shah",
        guest_email="priya@gmail.com",
        access_needs="Step-free access",
        answers={"1": "Student"},
        status=Status.CONFIRMED,
    )
    assert registration_answers_expire(now=careers_day.end + timedelta(days=10)) == 0
    assert (
        registration_answers_expire(now=careers_day.end + timedelta(days=settings.ANSWER_RETENTION_DAYS)) == 1
    )
    registration.refresh_from_db()
    assert (registration.guest_name, registration.guest_email, registration.access_needs) == ("", "", "")
    assert registration.answers == {}


def test_the_events_list_offers_public_sessions_first_to_visitors(client, careers_day, member):
    EventFactory(title="Borough staff briefing", audience=Event.Audience.BOROUGH_STAFF)
    page = client.get(reverse("events:event-list")).content.decode()
    offered = page.index("Open to everyone</h2>")
    assert page.index("Careers in local government data") > offered
    assert page.index("Careers in local government data") < page.index("Borough staff briefing")
    client.force_login(member)
    assert "Open to everyone</h2>" not in client.get(reverse("events:event-list")).content.decode()


def test_guests_with_a_place_get_one_reminder_with_their_link(careers_day, committed, mailoutbox, settings):
    from events.reminders import reminders_run_due

    settings.REMINDER_OFFSETS_HOURS = [24]
    placed = priya_registered(careers_day, status=Status.CONFIRMED)
    RegistrationFactory(
        event=careers_day,
        user=None,
        guest_name="Sam Lee",
        guest_email="sam@gmail.com",
        status=Status.CANCELLED,
    )
    with time_machine.travel(careers_day.start - timedelta(hours=23)):
        with committed():
            reminders_run_due()
        with committed():
            reminders_run_due()
    reminders = [message for message in mailoutbox if "reminder" in message.subject.lower()]
    assert [message.to for message in reminders] == [["priya@gmail.com"]]
    assert "Hello Priya Shah" in reminders[0].body
    token = re.search(r"/your-registration/([^/\s]+)/", reminders[0].body).group(1)
    assert registration_token_read(token) == (placed.pk, "priya@gmail.com")
    calendar, _ = calendar_attachment(reminders[0])
    assert "priya@gmail.com" in str(calendar.walk("VEVENT")[0]["ATTENDEE"])


def test_staff_mark_a_guest_attended_and_see_them_in_the_attendee_list(careers_day, staff):
    from events.selectors import event_attendee_rows
    from events.services import registration_mark_attendance

    registration = priya_registered(careers_day, status=Status.CONFIRMED)
    with time_machine.travel(careers_day.start + timedelta(minutes=5)):
        registration_mark_attendance(registration=registration, attended=True, acting_user=staff)
    registration.refresh_from_db()
    assert registration.status == Status.ATTENDED
    header, rows = event_attendee_rows(events=Event.objects.filter(pk=careers_day.pk))
    row = dict(zip(header, rows[0], strict=False))
    assert (row["Name"], row["Email"], row["Guest"]) == ("Priya Shah", "priya@gmail.com", "Yes")


def test_retention_also_clears_what_the_outbox_kept_about_guests(client, careers_day, committed, settings):
    register_as_guest(client, careers_day, committed)
    assert Email.objects.filter(to="priya.shah@gmail.com").exists()
    registration_answers_expire(now=careers_day.end + timedelta(days=settings.ANSWER_RETENTION_DAYS))
    assert not Email.objects.filter(to="priya.shah@gmail.com").exists()
    assert not Email.objects.exclude(data={}).filter(user__isnull=True).exists()


def test_staff_messages_reach_guests_too(careers_day, staff, committed, mailoutbox):
    from events.services import event_message_registrants

    priya_registered(careers_day, status=Status.CONFIRMED)
    with committed():
        count = event_message_registrants(
            event=careers_day,
            recipients="confirmed",
            subject="Lunch",
            body="Lunch is at 12.",
            acting_user=staff,
        )
    assert count == 1
    assert mailoutbox[-1].to == ["priya@gmail.com"] and "Lunch is at 12." in mailoutbox[-1].body


def test_behind_the_proxy_each_browser_address_has_its_own_limit(client, careers_day, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("events:guest-register", args=[careers_day.slug])

    def post(n, forwarded):
        data = form_data(careers_day, email=f"visitor{n}@gmail.com")
        return client.post(url, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [post(n, "203.0.113.5") for n in range(11)][-1] == 429
    # Another browser behind the same proxy is not held back by the first.
    assert post(99, "198.51.100.7") == 302
    # A browser cannot escape its limit by sending a made-up address of its own to the left.
    assert post(100, "1.2.3.4, 203.0.113.5") == 429


def test_a_guest_offered_a_place_accepts_it_from_their_own_link(client, careers_day, committed, mailoutbox):
    careers_day.capacity = 1
    careers_day.waitlist_offer_hours = 24
    careers_day.save()
    holder = RegistrationFactory(event=careers_day)
    guest = priya_registered(careers_day, status=Status.WAITLISTED, waitlist_position=1)
    with committed():
        registration_cancel(registration=holder, acting_user=None)
    guest.refresh_from_db()
    assert guest.has_offer
    (offer,) = [message for message in mailoutbox if message.to == ["priya@gmail.com"]]
    # The link in the email is the guest's own: the same signed registration (the signature's
    # time may be a second apart from one made here).
    own_link = re.search(r"/events/careers-day/your-registration/[^/\s]+/", offer.body).group(0)
    token = own_link.rstrip("/").rsplit("/", 1)[1]
    expected = registration_token(registration_id=guest.pk, email="priya@gmail.com")
    assert token.split(":")[0] == expected.split(":")[0]
    assert reverse("events:event-offer", args=[careers_day.slug]) not in offer.body
    page = client.get(own_link).content.decode()
    assert "Accept the place" in page and "London time" in page

    with committed():
        response = client.post(reverse("events:guest-registration-accept", args=[careers_day.slug, token]))
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.status == Status.CONFIRMED and guest.offer_expires_at is None


@pytest.fixture
def hybrid_day(careers_day):
    careers_day.mode = Event.Mode.HYBRID
    careers_day.capacity, careers_day.online_capacity = 1, 1
    careers_day.online_url = "https://meet.example.org/careers"
    careers_day.save()
    return careers_day


def test_a_guest_at_a_hybrid_session_chooses_to_join_online_like_a_member(
    client, hybrid_day, committed, mailoutbox
):
    member = UserFactory()
    registration_create(event=hybrid_day, user=member, answers={}, acting_user=member, mode="in_person")
    form = client.get(reverse("events:guest-register", args=[hybrid_day.slug])).content.decode()
    assert "How will you attend?" in form
    assert "In person (full: you will join its waiting list)" in form and "Online (1 place left)" in form

    register_as_guest(client, hybrid_day, committed, mode="online")
    page = client.get(path_of(confirm_link(mailoutbox[0]))).content.decode()
    assert "How you will attend" in page and "Online" in page
    with committed():
        confirm_from_email(client, mailoutbox[0])
    guest = Registration.objects.get(guest_email="priya.shah@gmail.com")
    assert (guest.status, guest.mode) == (Status.CONFIRMED, Registration.Mode.ONLINE)
    # The one rule for places: the online place is taken, so the next guest online waits.
    second = guest_registration_confirm(
        request=GuestRequest(hybrid_day.pk, "Other", "o@gmail.com", {}, "", mode="online")
    )
    assert (second.status, second.mode) == (Status.WAITLISTED, Registration.Mode.ONLINE)


def test_a_guest_at_a_hybrid_session_must_say_how_they_will_attend(client, hybrid_day, committed, mailoutbox):
    response = register_as_guest(client, hybrid_day, committed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select whether you will come in person or join online" in page
    assert mailoutbox == []


def test_a_link_from_before_guests_chose_means_in_person(hybrid_day):
    """A confirmation link sent before the session asked carries no choice."""
    old = GuestRequest(hybrid_day.pk, "Guest", "guest@gmail.com", {}, "", mode="")
    guest = guest_registration_confirm(request=old)
    assert (guest.status, guest.mode) == (Status.CONFIRMED, Registration.Mode.IN_PERSON)
