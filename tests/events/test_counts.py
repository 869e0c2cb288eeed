"""The counts kept on an event's row (places taken, online places taken, people waiting) are
what its registrations say after any sequence of changes through the services."""

import contextlib
import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from events.guest_links import GuestRequest
from events.models import Event, Registration
from events.services import (
    RegistrationRefused,
    event_fill_from_waitlist,
    event_save,
    registration_add_walk_in,
    registration_cancel,
    registration_create,
    registration_mark_attendance,
    registration_offer_accept,
    registration_promote,
    waitlist_offers_lapse,
)
from events.services.guests import guest_registration_confirm, guest_registration_delete
from tests.factories import EventFactory, UserFactory

Status = Registration.Status
pytestmark = pytest.mark.django_db


def counted(event: Event) -> tuple[int, int, int]:
    """The counts recounted by hand from the registrations, independently of the services."""
    registrations = list(Registration.objects.filter(event=event))
    taking = [r for r in registrations if r.holds_place or r.has_offer]
    return (
        len(taking),
        sum(1 for r in taking if r.mode == Registration.Mode.ONLINE),
        sum(1 for r in registrations if r.status == Status.WAITLISTED),
    )


def on_the_row(event: Event) -> tuple[int, int, int]:
    row = Event.objects.get(pk=event.pk)
    return row.places_taken, row.online_places_taken, row.waiting_count


def _events():
    return [
        EventFactory(capacity=3),
        EventFactory(capacity=2, waitlist_offer_hours=24),
        EventFactory(mode=Event.Mode.HYBRID, capacity=2, online_capacity=2, waitlist_offer_hours=12),
        EventFactory(audience=Event.Audience.PUBLIC, capacity=2),
    ]


def _step(rng, events, people, staff, guests):
    """One change, chosen at random, through the service that makes it."""
    event = rng.choice(events)
    active = list(Registration.objects.filter(event=event, status__in=[Status.CONFIRMED, Status.WAITLISTED]))
    action = rng.choice(["register", "register", "register", "cancel", "cancel", "accept", "promote"])
    action = rng.choice([action, "fill", "capacity", "guest", "guest delete"])
    if action == "register":
        mode = rng.choice(list(Registration.Mode.values)) if event.is_hybrid else ""
        registration_create(event=event, user=rng.choice(people), answers={}, acting_user=None, mode=mode)
    elif action == "cancel" and active:
        registration_cancel(registration=rng.choice(active), acting_user=None)
    elif action == "accept":
        offered = [r for r in active if r.has_offer]
        if offered:
            registration_offer_accept(registration=rng.choice(offered), acting_user=None)
    elif action == "promote":
        waiting = [r for r in active if r.status == Status.WAITLISTED]
        if waiting:
            registration_promote(registration=rng.choice(waiting), acting_user=staff)
    elif action == "fill":
        event_fill_from_waitlist(event=event, acting_user=staff)
    elif action == "capacity":
        # Staff change the capacity in admin from a copy of the event they loaded earlier.
        stale = Event.objects.get(pk=event.pk)
        stale.places_taken, stale.waiting_count = 99, 99
        stale.capacity = rng.randint(1, 5)
        event_save(event=stale, acting_user=staff)
    elif action == "guest" and event.is_public:
        number = rng.randint(1, 6)
        request = GuestRequest(event.pk, f"Guest {number}", f"guest{number}@example.org", {}, "")
        guests.append(guest_registration_confirm(request=request))
    elif action == "guest delete" and guests:
        guest = guests.pop(rng.randrange(len(guests)))
        if Registration.objects.filter(pk=guest.pk).exists():
            guest_registration_delete(registration=guest)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_on_the_row_match_the_registrations_after_any_changes(seed, staff):
    rng = random.Random(seed)
    events = _events()
    people = [UserFactory() for _ in range(10)]
    guests = []
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        for step in range(120):
            if step % 30 == 29:
                # Offers lapse as time passes; their places go to the next people waiting.
                clock.shift(timedelta(hours=13))
                waitlist_offers_lapse()
            with contextlib.suppress(RegistrationRefused):
                _step(rng, events, people, staff, guests)
            for event in events:
                assert on_the_row(event) == counted(event), (step, event.title)

        # On the day: people checked in, marked as not having come, and walk-ins.
        clock.move_to(events[0].start - timedelta(minutes=30))
        for event in events:
            with_place = Registration.objects.filter(event=event, status=Status.CONFIRMED)
            for registration in with_place[:1]:
                registration_mark_attendance(registration=registration, attended=False, acting_user=staff)
            for person in rng.sample(people, 3):
                registration_add_walk_in(event=event, user=person, acting_user=staff)
            assert on_the_row(event) == counted(event), event.title

        # After the start a guest's place stays taken until they delete their details.
        public = events[3]
        clock.move_to(public.start + timedelta(hours=1))
        request = GuestRequest(public.pk, "Late guest", "late@example.org", {}, "")
        with time_machine.travel(public.start - timedelta(days=1), tick=False):
            guest = guest_registration_confirm(request=request)
        if guest.status == Status.WAITLISTED:
            registration_promote(registration=guest, acting_user=staff)
        guest_registration_delete(registration=guest)
        assert on_the_row(public) == counted(public)


def test_the_pages_counts_come_from_the_row(client, member, committed):
    """Places left on an event's page follow a registration at once."""
    event = EventFactory(capacity=2)
    client.force_login(member)
    assert "2 places left" in client.get(event.get_absolute_url()).content.decode()
    with committed():
        registration_create(event=event, user=UserFactory(), answers={}, acting_user=None)
    assert "1 place left" in client.get(event.get_absolute_url()).content.decode()
