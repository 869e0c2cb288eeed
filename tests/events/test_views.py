"""The members' pages: events list, event page, registering, confirmation, cancelling, My events."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from events.formatting import LONDON
from events.joining import join_path
from events.models import CalendarFeed, Event, Invitation, Registration
from events.services import event_save
from networks.models import Network
from tests.factories import EventFactory, QuestionFactory, RegistrationFactory, SpeakerFactory

Status = Registration.Status


def page(response) -> str:
    return response.content.decode()


# The events list


def test_list_shows_upcoming_published_events_soonest_first(client, db):
    later = EventFactory(title="Careers day", start=timezone.now() + timedelta(days=30))
    sooner = EventFactory(title="Supplier demo", start=timezone.now() + timedelta(days=3))
    EventFactory(title="Secret draft", status=Event.Status.DRAFT)
    EventFactory(title="Private dinner", audience=Event.Audience.INVITATION)
    EventFactory(title="Last year", start=timezone.now() - timedelta(days=300))
    cancelled = EventFactory(title="Called off", status=Event.Status.CANCELLED)

    response = client.get(reverse("events:event-list"))
    assert response.status_code == 200
    html = page(response)
    assert "<title>Events – LOTI Network Portal</title>" in html
    assert html.index(sooner.title) < html.index(later.title)
    assert cancelled.title in html and "Cancelled" in html
    for hidden in ("Secret draft", "Private dinner", "Last year"):
        assert hidden not in html


def test_list_shows_my_status_and_invitation_only_events_i_am_invited_to(client, member):
    mine = EventFactory(title="My session")
    RegistrationFactory(event=mine, user=member)
    invited = EventFactory(title="Private dinner", audience=Event.Audience.INVITATION)
    Invitation.objects.create(event=invited, email=member.email)
    client.force_login(member)
    html = page(client.get(reverse("events:event-list")))
    assert "Private dinner" in html
    assert '<strong class="govuk-tag govuk-tag--green">Confirmed</strong>' in html


def test_list_filters_by_network_kind_and_programme(client, db):
    network = Network.objects.create(name="Data Leaders", slug="data-leaders", summary="x")
    EventFactory(title="Leaders quarterly", network=network, kind=Event.Kind.NETWORK_MEETING)
    programme = "Digital Inclusion Innovation Programme"
    EventFactory(title="Social value walkthrough", kind=Event.Kind.DEMO, programme=programme)
    EventFactory(title="Data jobs fair", kind=Event.Kind.CAREERS_DAY)
    url = reverse("events:event-list")

    by_network = page(client.get(url, {"network": "data-leaders"}))
    assert "Leaders quarterly" in by_network and "Social value walkthrough" not in by_network

    by_kind = page(client.get(url, {"kind": "careers_day"}))
    assert "Data jobs fair" in by_kind and "Leaders quarterly" not in by_kind

    by_programme = page(client.get(url, {"programme": programme}))
    assert "Social value walkthrough" in by_programme and "Data jobs fair" not in by_programme


def test_list_with_an_unknown_filter_says_so_and_still_lists(client, db):
    EventFactory(title="Careers day")
    response = client.get(reverse("events:event-list"), {"kind": "party", "network": "nope"})
    assert response.status_code == 200
    html = page(response)
    assert html.count('class="govuk-error-summary"') == 1
    assert "<title>Error: Events" in html
    assert "Select a type of event from the list" in html
    assert "Careers day" in html


def test_past_events_archive_lists_latest_first(client, db):
    EventFactory(title="Upcoming")
    older = EventFactory(title="Older", start=timezone.now() - timedelta(days=60))
    newer = EventFactory(title="Newer", start=timezone.now() - timedelta(days=10))
    html = page(client.get(reverse("events:event-archive")))
    assert "<title>Past events – LOTI Network Portal</title>" in html
    assert html.index(newer.title) < html.index(older.title)
    assert "Upcoming</a>" not in html


def test_list_is_paginated(client, db):
    for number in range(25):
        EventFactory(title=f"Event number {number:02d}", start=timezone.now() + timedelta(days=number + 1))
    first = page(client.get(reverse("events:event-list")))
    second = page(client.get(reverse("events:event-list"), {"page": 2}))
    assert "Event number 19" in first and "Event number 20" not in first
    assert "Event number 20" in second and "Event number 24" in second
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert client.get(reverse("events:event-list"), {"page": "x"}).status_code == 200


def test_list_refuses_other_methods(client, db):
    assert client.post(reverse("events:event-list")).status_code == 405


# The event page


def test_event_page_shows_when_where_who_places_and_speakers(client, member):
    start = datetime(2027, 12, 10, 10, 0, tzinfo=LONDON)
    event = EventFactory(
        title="Social Value Exchange demo",
        start=start,
        end=start + timedelta(hours=2),
        capacity=15,
        audience=Event.Audience.BOROUGH_STAFF,
        description="## Agenda\n\n**Demo** then questions <script>alert(1)</script>",
    )
    SpeakerFactory(event=event, name="Dan Ebanks", organisation="Social Value Exchange", role="")
    RegistrationFactory(event=event)
    client.force_login(member)
    response = client.get(reverse("events:event-detail", args=[event.slug]))
    assert response.status_code == 200
    html = page(response)
    assert "<title>Social Value Exchange demo – LOTI Network Portal</title>" in html
    assert "Friday 10 December 2027, 10:00am to 12:00pm" in html
    assert "London borough staff only" in html
    assert "14 places left of 15" in html
    assert "Dan Ebanks" in html and "Social Value Exchange" in html
    assert '<h2 class="govuk-heading-m">Agenda</h2>' in html
    assert "<script>alert" not in html
    assert reverse("events:event-register", args=[event.slug]) in html
    assert html.count("<h1") == 1


def test_event_page_for_a_full_event_offers_the_waiting_list(client, member, small_event):
    RegistrationFactory.create_batch(2, event=small_event)
    client.force_login(member)
    html = page(client.get(reverse("events:event-detail", args=[small_event.slug])))
    assert "Full: you can join the waiting list" in html
    assert "Join the waiting list</a>" in html


def test_event_page_tells_a_partner_why_they_cannot_register(client, partner):
    event = EventFactory(audience=Event.Audience.BOROUGH_STAFF)
    client.force_login(partner)
    html = page(client.get(reverse("events:event-detail", args=[event.slug])))
    assert "Your account is linked to Metropolitan Police, a public-sector partner" in html
    assert reverse("events:event-register", args=[event.slug]) not in html


def test_event_page_asks_signed_out_visitors_to_sign_in_while_registration_is_open(client, event, committed):
    url = reverse("events:event-detail", args=[event.slug])
    assert f"{reverse('account_login')}?next=/events/{event.slug}/" in page(client.get(url))
    event.registration_closes = timezone.now() - timedelta(hours=1)
    with committed():
        event_save(event=event, acting_user=None)
    html = page(client.get(url))
    assert "Registration is not open." in html
    assert reverse("account_login") + "?next" not in html


def test_draft_event_is_404_except_for_staff(client, member, staff):
    draft = EventFactory(status=Event.Status.DRAFT)
    url = reverse("events:event-detail", args=[draft.slug])
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_invitation_only_event_is_404_for_people_not_invited(client, member, outsider):
    event = EventFactory(audience=Event.Audience.INVITATION)
    Invitation.objects.create(event=event, email=member.email)
    url = reverse("events:event-detail", args=[event.slug])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("events:event-register", args=[event.slug])).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_online_link_only_for_confirmed_registrants_and_staff(client, member, outsider, staff, small_event):
    url = reverse("events:event-detail", args=[small_event.slug])
    link = small_event.online_url
    assert link not in page(client.get(url))
    mine = RegistrationFactory(event=small_event, user=member)
    other = RegistrationFactory(event=small_event)
    RegistrationFactory(event=small_event, user=outsider, status=Status.WAITLISTED, waitlist_position=1)
    client.force_login(outsider)
    assert link not in page(client.get(url))
    assert "joining address" not in page(client.get(url))
    # A person with a place gets their own joining address, which leads to the link.
    client.force_login(member)
    content = page(client.get(url))
    assert join_path(mine) in content and join_path(other) not in content
    assert link not in content
    client.force_login(staff)
    assert link in page(client.get(url))


def test_event_page_shows_nobody_elses_registration_or_answers(client, member, outsider, event):
    question = QuestionFactory(event=event)
    RegistrationFactory(event=event, user=outsider, answers={str(question.pk): "Hostel manager"})
    client.force_login(member)
    html = page(client.get(reverse("events:event-detail", args=[event.slug])))
    assert outsider.full_name not in html and outsider.email not in html
    assert "Hostel manager" not in html
    assert "Confirmed" not in html


def test_event_page_refuses_other_methods(client, event):
    assert client.post(reverse("events:event-detail", args=[event.slug])).status_code == 405


def test_unknown_event_is_404(client, db):
    assert client.get(reverse("events:event-detail", args=["no-such-event"])).status_code == 404


# Registering


def test_register_asks_the_questions_and_registers(client, member, event, committed, mailoutbox):
    role = QuestionFactory(event=event, text="Your role", hint="So we can plan the discussion.")
    topics = QuestionFactory(
        event=event, text="Topics", kind="several_choices", options="Devices\nData\nSkills", required=False
    )
    notes = QuestionFactory(event=event, text="Access needs", kind="short_text", options="", required=False)
    client.force_login(member)
    url = reverse("events:event-register", args=[event.slug])
    form = page(client.get(url))
    assert "Your role" in form and "So we can plan the discussion." in form
    assert 'type="radio"' in form and 'type="checkbox"' in form
    assert "Topics (optional)" in form

    with committed():
        response = client.post(
            url,
            {
                f"question_{role.pk}": "Commissioner",
                f"question_{topics.pk}": ["Devices", "Skills"],
                f"question_{notes.pk}": "  Step-free access  ",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("events:event-registered", args=[event.slug])
    registration = Registration.objects.get(event=event, user=member)
    assert registration.status == Status.CONFIRMED
    assert registration.answers == {
        str(role.pk): "Commissioner",
        str(topics.pk): ["Devices", "Skills"],
        str(notes.pk): "Step-free access",
    }
    assert len(mailoutbox) == 1


def test_register_without_a_required_answer_shows_the_error_and_stores_nothing(client, member, event):
    role = QuestionFactory(event=event, text="Your role")
    client.force_login(member)
    url = reverse("events:event-register", args=[event.slug])
    response = client.post(url, {})
    assert response.status_code == 200
    html = page(response)
    assert "<title>Error: Register" in html
    assert "There is a problem" in html
    assert f'href="#id_question_{role.pk}_1"' in html
    assert f'id="id_question_{role.pk}_1"' in html
    assert "Select an answer to “Your role”" in html
    assert not Registration.objects.exists()


def test_register_with_an_answer_that_is_not_an_option_is_refused(client, member, event):
    role = QuestionFactory(event=event)
    client.force_login(member)
    response = client.post(
        reverse("events:event-register", args=[event.slug]), {f"question_{role.pk}": "Chief executive"}
    )
    assert response.status_code == 200
    assert "Select one of the answers to “Your role”" in page(response)
    assert not Registration.objects.exists()


def test_question_text_written_by_staff_is_escaped(client, member, event):
    QuestionFactory(event=event, text="<img src=x onerror=alert(1)>", kind="short_text", options="")
    client.force_login(member)
    html = page(client.get(reverse("events:event-register", args=[event.slug])))
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_register_without_questions_needs_only_the_button(client, member, event):
    client.force_login(member)
    response = client.post(reverse("events:event-register", args=[event.slug]))
    assert response.status_code == 302
    assert Registration.objects.get(event=event, user=member).status == Status.CONFIRMED


def test_register_for_a_full_event_joins_the_waiting_list(client, member, small_event):
    RegistrationFactory.create_batch(2, event=small_event)
    client.force_login(member)
    url = reverse("events:event-register", args=[small_event.slug])
    assert "Join the waiting list</h1>" in page(client.get(url))
    client.post(url)
    registered = page(client.get(reverse("events:event-registered", args=[small_event.slug])))
    assert "You are on the waiting list" in registered
    assert "You are number 1 on the waiting list" in registered
    assert small_event.online_url not in registered


def test_register_needs_sign_in(client, event):
    response = client.get(reverse("events:event-register", args=[event.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_partner_cannot_register_for_borough_staff_session_and_is_told_why(client, partner):
    event = EventFactory(audience=Event.Audience.BOROUGH_STAFF)
    client.force_login(partner)
    url = reverse("events:event-register", args=[event.slug])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        html = page(response)
        assert "You cannot register for this event" in html
        assert "This event is for London borough staff only." in html
        assert "Metropolitan Police, a public-sector partner" in html
    assert not Registration.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="events.registration").exists()


def test_register_for_a_closed_event_says_so(client, member):
    event = EventFactory(registration_closes=timezone.now() - timedelta(hours=1))
    client.force_login(member)
    response = client.post(reverse("events:event-register", args=[event.slug]))
    assert response.status_code == 403
    assert "Registration closed on" in page(response)
    assert not Registration.objects.exists()


def test_register_when_already_registered_goes_to_the_confirmation(client, member, event):
    RegistrationFactory(event=event, user=member)
    client.force_login(member)
    response = client.post(reverse("events:event-register", args=[event.slug]))
    assert response.status_code == 302
    assert Registration.objects.count() == 1


def test_register_refuses_other_methods(client, member, event):
    client.force_login(member)
    assert client.put(reverse("events:event-register", args=[event.slug])).status_code == 405


# The confirmation page


def test_confirmation_page_shows_my_place_answers_and_joining_link(client, member, event):
    question = QuestionFactory(event=event)
    mine = RegistrationFactory(event=event, user=member, answers={str(question.pk): "Hostel manager"})
    client.force_login(member)
    response = client.get(reverse("events:event-registered", args=[event.slug]))
    assert response.status_code == 200
    html = page(response)
    assert "You have a place" in html
    assert "Hostel manager" in html
    assert join_path(mine) in html
    assert reverse("events:event-ics", args=[event.slug]) in html


def test_confirmation_page_is_404_for_someone_not_registered(client, member, outsider, event):
    RegistrationFactory(event=event, user=member)
    client.force_login(outsider)
    assert client.get(reverse("events:event-registered", args=[event.slug])).status_code == 404


def test_confirmation_page_refuses_other_methods(client, member, event):
    RegistrationFactory(event=event, user=member)
    client.force_login(member)
    assert client.post(reverse("events:event-registered", args=[event.slug])).status_code == 405


# Cancelling


def test_cancel_asks_for_confirmation_then_cancels_and_promotes(
    client, member, small_event, committed, mailoutbox
):
    RegistrationFactory(event=small_event, user=member)
    RegistrationFactory(event=small_event)
    waiting = RegistrationFactory(event=small_event, status=Status.WAITLISTED, waitlist_position=1)
    client.force_login(member)
    url = reverse("events:event-cancel", args=[small_event.slug])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure you want to cancel your place?" in page(confirm)
    assert Registration.objects.get(event=small_event, user=member).status == Status.CONFIRMED

    with committed():
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:my-events")
    assert Registration.objects.get(event=small_event, user=member).status == Status.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert {m.to[0] for m in mailoutbox} == {member.email, waiting.user.email}
    followed = client.get(response["Location"])
    assert f"Your registration for {small_event.title} has been cancelled." in page(followed)


def test_cancel_is_404_without_a_registration_of_ones_own(client, member, outsider, event):
    RegistrationFactory(event=event, user=member)
    client.force_login(outsider)
    url = reverse("events:event-cancel", args=[event.slug])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Registration.objects.get(user=member).status == Status.CONFIRMED


def test_cancel_after_the_start_is_refused_with_a_message(client, member):
    event = EventFactory(
        start=timezone.now() - timedelta(minutes=10), end=timezone.now() + timedelta(hours=1)
    )
    RegistrationFactory(event=event, user=member)
    client.force_login(member)
    response = client.post(reverse("events:event-cancel", args=[event.slug]), follow=True)
    assert response.status_code == 200
    assert "already started" in page(response)
    assert Registration.objects.get(user=member).status == Status.CONFIRMED


def test_cancel_refuses_other_methods(client, member, event):
    RegistrationFactory(event=event, user=member)
    client.force_login(member)
    assert client.delete(reverse("events:event-cancel", args=[event.slug])).status_code == 405


# My events and the calendar address


def test_my_events_lists_my_upcoming_and_past_events_only(client, member, outsider):
    upcoming = RegistrationFactory(user=member, event=EventFactory(title="Coming soon")).event
    waiting_event = EventFactory(title="Waiting for this", capacity=0)
    RegistrationFactory(event=waiting_event, user=member, status=Status.WAITLISTED, waitlist_position=3)
    RegistrationFactory(event=waiting_event, status=Status.WAITLISTED, waitlist_position=1)
    RegistrationFactory(user=member, event=EventFactory(title="Changed my mind"), status=Status.CANCELLED)
    past = EventFactory(title="Last month", start=timezone.now() - timedelta(days=30))
    RegistrationFactory(user=member, event=past, status=Status.ATTENDED)
    RegistrationFactory(user=outsider, event=EventFactory(title="Not mine"))

    client.force_login(member)
    response = client.get(reverse("events:my-events"))
    assert response.status_code == 200
    html = page(response)
    assert upcoming.title in html and waiting_event.title in html and past.title in html
    assert "Number 2" in html  # one person ahead in the queue
    assert "Attended" in html
    assert "Changed my mind" not in html and "Not mine" not in html
    assert reverse("events:event-cancel", args=[upcoming.slug]) in html


def test_my_events_needs_sign_in_and_refuses_other_methods(client, member):
    assert client.get(reverse("events:my-events")).status_code == 302
    client.force_login(member)
    assert client.post(reverse("events:my-events")).status_code == 405


def test_calendar_address_is_created_then_replaced(client, member):
    client.force_login(member)
    url = reverse("events:calendar-feed-regenerate")
    assert "Create your calendar address" in page(client.get(reverse("events:my-events")))

    response = client.post(url)
    assert response.status_code == 302
    first = CalendarFeed.objects.get(user=member).token
    html = page(client.get(reverse("events:my-events")))
    assert reverse("events:calendar-feed", args=[first]) in html

    client.post(url)
    second = CalendarFeed.objects.get(user=member).token
    assert second != first
    assert AuditEntry.objects.filter(action="events.calendar_feed.regenerated", actor=member).exists()


def test_calendar_address_change_needs_sign_in_and_post(client, member):
    url = reverse("events:calendar-feed-regenerate")
    assert client.post(url).status_code == 302
    assert not CalendarFeed.objects.exists()
    client.force_login(member)
    assert client.get(url).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_unknown_calendar_address_is_404(client, db):
    assert client.get(reverse("events:calendar-feed", args=["not-a-token"])).status_code == 404


def test_account_page_links_to_my_events(client, member):
    client.force_login(member)
    assert reverse("events:my-events") in page(client.get(reverse("accounts:profile-detail")))


def test_header_navigation_shows_events(client, db):
    assert f'href="{reverse("events:event-list")}"' in page(client.get(reverse("home")))


def test_reserved_slugs_are_refused(db):
    from django.core.exceptions import ValidationError

    event = EventFactory.build(slug="mine")
    with pytest.raises(ValidationError, match="taken by the portal"):
        event.full_clean()
