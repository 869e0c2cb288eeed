"""Offering a freed place for some hours: accept or decline with one button, and a lapsed offer
passes to the next person waiting, exactly once."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from events import emails
from events.models import Registration
from events.services import registration_cancel, registration_create, waitlist_offers_lapse
from events.tasks import waitlist_offers_lapse as waitlist_offers_lapse_task
from outbox.models import Email
from tests.factories import EventFactory, RegistrationFactory, UserFactory

Status = Registration.Status


@pytest.fixture
def full_event(db):
    """One place, offered for 24 hours when it is freed; one person has it, two are waiting."""
    event = EventFactory(title="ONS data visualisation course", capacity=1, waitlist_offer_hours=24)
    holder = RegistrationFactory(event=event)
    first = RegistrationFactory(event=event, status=Status.WAITLISTED, waitlist_position=1)
    second = RegistrationFactory(event=event, status=Status.WAITLISTED, waitlist_position=2)
    return event, holder, first, second


def emails_of(kind, registration):
    return Email.objects.filter(kind=kind, data__registration_id=registration.pk).count()


def test_a_freed_place_is_offered_to_the_first_person_waiting_and_kept_for_them(full_event):
    event, holder, first, second = full_event
    registration_cancel(registration=holder, acting_user=holder.user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.WAITLISTED and first.has_offer
    assert abs(first.offer_expires_at - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    assert not second.has_offer
    assert emails_of(emails.OFFERED, first) == 1
    # The place is kept for them: a newcomer waits.
    newcomer = registration_create(event=event, user=UserFactory(), answers={}, acting_user=None)
    assert newcomer.status == Status.WAITLISTED


def test_giving_at_once_is_still_the_default(db):
    event = EventFactory(capacity=1)
    holder = RegistrationFactory(event=event)
    first = RegistrationFactory(event=event, status=Status.WAITLISTED, waitlist_position=1)
    registration_cancel(registration=holder, acting_user=None)
    first.refresh_from_db()
    assert first.status == Status.CONFIRMED and first.offer_expires_at is None


def test_an_offer_never_lasts_beyond_the_start(db):
    event = EventFactory(capacity=1, waitlist_offer_hours=48, start=timezone.now() + timedelta(hours=3))
    holder = RegistrationFactory(event=event)
    first = RegistrationFactory(event=event, status=Status.WAITLISTED, waitlist_position=1)
    registration_cancel(registration=holder, acting_user=None)
    first.refresh_from_db()
    assert first.offer_expires_at == event.start


def test_accepting_with_one_button_gives_the_place(client, full_event, mailoutbox, committed):
    event, holder, first, _ = full_event
    registration_cancel(registration=holder, acting_user=None)
    client.force_login(first.user)
    url = reverse("events:event-offer", args=[event.slug])
    page = client.get(url).content.decode()
    assert "A place is offered to you" in page and "Accept the place" in page
    with committed():
        response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    assert response["Location"] == reverse("events:event-registered", args=[event.slug])
    first.refresh_from_db()
    assert first.status == Status.CONFIRMED and first.offer_expires_at is None
    assert [message.to for message in mailoutbox] == [[first.user.email]]
    assert "A place is free and it is yours" in mailoutbox[0].subject


def test_declining_passes_the_offer_to_the_next_person(client, full_event):
    event, holder, first, second = full_event
    registration_cancel(registration=holder, acting_user=None)
    client.force_login(first.user)
    response = client.post(reverse("events:event-offer", args=[event.slug]), {"answer": "decline"})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.CANCELLED and first.offer_expires_at is None
    assert second.has_offer
    assert emails_of(emails.OFFERED, second) == 1


def test_a_lapsed_offer_moves_on_exactly_once(full_event):
    event, holder, first, second = full_event
    registration_cancel(registration=holder, acting_user=None)
    first.refresh_from_db()
    with time_machine.travel(first.offer_expires_at - timedelta(seconds=1)):
        assert waitlist_offers_lapse() == 0
    with time_machine.travel(first.offer_expires_at + timedelta(minutes=1)):
        assert waitlist_offers_lapse_task.delay().get() == 1
        assert waitlist_offers_lapse() == 0  # a second run, or a duplicated beat
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert second.has_offer
    assert emails_of(emails.OFFER_LAPSED, first) == 1
    assert emails_of(emails.OFFERED, second) == 1
    assert AuditEntry.objects.filter(action="events.registration.offer_lapsed").count() == 1
    # and the second offer lapses in turn, with nobody left to offer it to
    with time_machine.travel(second.offer_expires_at + timedelta(minutes=1)):
        assert waitlist_offers_lapse() == 1
    assert not Registration.objects.filter(event=event, offer_expires_at__isnull=False).exists()


def test_accepting_after_the_offer_lapsed_is_refused_and_changes_nothing(client, full_event):
    event, holder, first, _ = full_event
    registration_cancel(registration=holder, acting_user=None)
    first.refresh_from_db()
    client.force_login(first.user)
    with time_machine.travel(first.offer_expires_at + timedelta(minutes=1)):
        response = client.post(reverse("events:event-offer", args=[event.slug]), {"answer": "accept"})
    assert response.status_code == 400
    assert "the offer has lapsed" in response.content.decode()
    first.refresh_from_db()
    assert first.status == Status.WAITLISTED


def test_an_unknown_answer_shows_an_error_and_changes_nothing(client, full_event):
    event, holder, first, _ = full_event
    registration_cancel(registration=holder, acting_user=None)
    client.force_login(first.user)
    response = client.post(reverse("events:event-offer", args=[event.slug]), {"answer": "maybe"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Choose whether to accept or decline" in page
    first.refresh_from_db()
    assert first.has_offer


def test_the_offer_page_is_only_for_the_person_offered(client, full_event, outsider):
    event, holder, first, second = full_event
    registration_cancel(registration=holder, acting_user=None)
    url = reverse("events:event-offer", args=[event.slug])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "accept"}).status_code == 404
    # Someone further down the list sees no offer and cannot take the place.
    client.force_login(second.user)
    page = client.get(url).content.decode()
    assert "No place is on offer to you" in page and "Accept the place" not in page
    client.post(url, {"answer": "accept"})
    second.refresh_from_db()
    assert second.status == Status.WAITLISTED and not second.has_offer
    client.force_login(first.user)
    assert client.put(url).status_code == 405


def test_the_event_page_shows_the_offer(client, full_event, committed):
    event, holder, first, _ = full_event
    client.force_login(first.user)
    url = reverse("events:event-detail", args=[event.slug])
    assert "Accept or decline the place" not in client.get(url).content.decode()
    with committed():
        registration_cancel(registration=holder, acting_user=None)
    page = client.get(url).content.decode()
    assert "Accept or decline the place" in page
    assert reverse("events:event-offer", args=[event.slug]) in page


def test_the_offer_email_leads_to_the_answer_and_to_leaving_the_list(full_event, mailoutbox, committed):
    event, holder, first, _ = full_event
    with committed():
        registration_cancel(registration=holder, acting_user=None)
    (offer,) = [message for message in mailoutbox if message.to == [first.user.email]]
    assert offer.subject == f"A place is offered to you: {event.title}"
    assert reverse("events:event-offer", args=[event.slug]) in offer.body
    assert reverse("events:event-cancel", args=[event.slug]) in offer.body
    assert "London time" in offer.body


def test_every_waiting_list_email_has_a_link_to_leave_the_list(db, mailoutbox, committed):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    with committed():
        registration_create(event=event, user=UserFactory(), answers={}, acting_user=None)
    (message,) = mailoutbox
    leave = reverse("events:event-cancel", args=[event.slug])
    assert "leave the waiting list" in message.body and leave in message.body
    assert leave in message.alternatives[0][0]
