"""Registrations racing on a real PostgreSQL: the event row lock keeps the capacity exact.

SQLite serialises every write, so these only mean something on PostgreSQL; they skip on a
developer's SQLite and fail in CI (CI=true) if PostgreSQL is missing.
"""

import threading

import pytest
from django.db import connection

from accounts.models import User
from events.models import Registration
from events.services import registration_cancel, registration_create
from tests.factories import EventFactory
from tests.helpers import need

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16


@pytest.fixture(autouse=True)
def _postgresql():
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL): SQLite serialises writes")


def people(count: int, prefix: str) -> list[User]:
    return User.objects.bulk_create(
        User(email=f"{prefix}{n}@camden.gov.uk", full_name=f"Person {n}") for n in range(count)
    )


def run_at_once(work: list) -> list[Exception]:
    """Run each callable in its own thread, all released together; return what they raised."""
    barrier = threading.Barrier(len(work))
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # every failure is reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_many_threads_registering_confirm_exactly_the_capacity_and_queue_the_rest():
    capacity, total = 5, 80
    event = EventFactory(capacity=capacity)
    everyone = people(total, "racer")
    chunks = [everyone[i::THREADS] for i in range(THREADS)]

    def register_chunk(chunk):
        def job():
            for person in chunk:
                registration_create(event=event, user=person, answers={}, acting_user=person)

        return job

    errors = run_at_once([register_chunk(chunk) for chunk in chunks])

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.count() == total
    assert registrations.filter(status="confirmed").count() == capacity
    positions = sorted(registrations.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, total - capacity + 1))


def test_the_same_person_submitting_many_times_at_once_gets_one_registration():
    event = EventFactory(capacity=3)
    person = people(1, "double")[0]
    errors = run_at_once(
        [
            lambda: registration_create(event=event, user=person, answers={}, acting_user=person)
            for _ in range(THREADS)
        ]
    )
    assert errors == []
    assert list(Registration.objects.filter(event=event).values_list("status", flat=True)) == ["confirmed"]


def test_simultaneous_cancellations_each_promote_one_person_waiting():
    capacity = 6
    event = EventFactory(capacity=capacity)
    everyone = people(capacity * 3, "cancel")
    for person in everyone:
        registration_create(event=event, user=person, answers={}, acting_user=person)
    holders = list(Registration.objects.filter(event=event, status="confirmed").select_related("user"))

    errors = run_at_once(
        [
            lambda registration=registration: registration_cancel(
                registration=registration, acting_user=registration.user
            )
            for registration in holders
        ]
    )

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status="cancelled").count() == capacity
    promoted = registrations.filter(status="confirmed")
    assert promoted.count() == capacity
    assert all(registration.promoted_at for registration in promoted)
    # The first people in the queue got the places, in order.
    assert sorted(p.user.email for p in promoted.select_related("user")) == sorted(
        person.email for person in everyone[capacity : capacity * 2]
    )


def test_guests_and_members_racing_for_the_last_places_share_one_rule():
    from events.guest_links import GuestRequest
    from events.models import Event
    from events.services.guests import guest_registration_confirm

    capacity, members_count, guests_count = 7, 40, 40
    event = EventFactory(capacity=capacity, audience=Event.Audience.PUBLIC)
    members = people(members_count, "member")
    guests = [
        GuestRequest(event.pk, f"Guest {n}", f"guest{n}@gmail.com", {}, "") for n in range(guests_count)
    ]
    work = [
        (registration_create, {"event": event, "user": m, "answers": {}, "acting_user": m}) for m in members
    ]
    work += [(guest_registration_confirm, {"request": g}) for g in guests]
    # The same guest confirming twice at once (a double click) still holds one registration.
    work += [(guest_registration_confirm, {"request": guests[0]})]
    chunks = [work[i::THREADS] for i in range(THREADS)]

    def run_chunk(chunk):
        def job():
            for function, arguments in chunk:
                function(**arguments)

        return job

    errors = run_at_once([run_chunk(chunk) for chunk in chunks])

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.count() == members_count + guests_count
    assert registrations.filter(status="confirmed").count() == capacity
    positions = sorted(registrations.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, members_count + guests_count - capacity + 1))
    waiting = registrations.filter(status="waitlisted")
    assert waiting.filter(user__isnull=True).exists() and waiting.filter(user__isnull=False).exists()


def test_a_hybrid_session_fills_each_mode_exactly_under_contention():
    in_room, online, total = 4, 6, 64
    event = EventFactory(mode="hybrid", venue="City Hall", capacity=in_room, online_capacity=online)
    everyone = people(total, "hybrid")
    chunks = [everyone[i::THREADS] for i in range(THREADS)]

    def register_chunk(chunk):
        def job():
            for n, person in enumerate(chunk):
                mode = "online" if n % 2 else "in_person"
                registration_create(event=event, user=person, answers={}, acting_user=person, mode=mode)

        return job

    errors = run_at_once([register_chunk(chunk) for chunk in chunks])

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.count() == total
    assert registrations.filter(status="confirmed", mode="in_person").count() == in_room
    assert registrations.filter(status="confirmed", mode="online").count() == online
    positions = sorted(registrations.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, total - in_room - online + 1))


@pytest.mark.parametrize("offers", [False, True])
def test_counts_on_the_row_match_a_recount_after_registrations_and_cancellations_race(offers):
    """Registering and cancelling keep the counts on the event's row from a tally of the
    registrations taken under the lock: racing, in both ways of attending, with freed places
    given at once or offered, they end as a recount from the registrations says."""
    from tests.events.test_counts import counted, on_the_row

    event = EventFactory(
        mode="hybrid",
        venue="City Hall",
        capacity=5,
        online_capacity=4,
        waitlist_offer_hours=24 if offers else None,
    )
    everyone = list(enumerate(people(48, f"tally{int(offers)}")))
    chunks = [everyone[i::THREADS] for i in range(THREADS)]

    def register_then_cancel_some(chunk):
        def job():
            for n, person in chunk:
                mode = "online" if n % 2 else "in_person"
                registration = registration_create(
                    event=event, user=person, answers={}, acting_user=person, mode=mode
                )
                if n % 3 == 1:  # some leave at once: a place freed, or a place in the queue
                    registration_cancel(registration=registration, acting_user=person)

        return job

    errors = run_at_once([register_then_cancel_some(chunk) for chunk in chunks])

    assert errors == []
    taken, online_taken, waiting = on_the_row(event)
    assert (taken, online_taken, waiting) == counted(event)
    assert taken == 5 + 4  # every place is taken (or kept for someone offered it)
    assert waiting > 0
