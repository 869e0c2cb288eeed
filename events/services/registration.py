"""Registering, cancelling, the waiting list (and its offers) and attendance. Every decision about places is
taken with the event row locked, so concurrent requests never exceed the capacity."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from loti_portal import versions
from loti_portal.sql import by_pk, columns, insert, instances, rows, table

from .. import emails
from ..models import Event, Question, Registration
from ..selectors import registration_for_user, registration_refusal_reason
from .counts import EventTally, event_counts_refresh, event_counts_write, event_tally
from .notifications import notifications_queue

Status = Registration.Status
# Staff may tick people in as they arrive, from this long before the start.
CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
# The no-show job looks back this far for sessions that have ended.
NO_SHOW_LOOKBACK = timedelta(days=7)


class RegistrationRefused(Exception):
    """The change is not allowed; the message says why, in words to show the person."""


def _lock_event(event_id: int) -> Event:
    """Lock the event row for a change to its registrations, which its public counts show, and
    read it as it is now: one query of our own SQL (SELECT … FOR UPDATE, where the database has
    row locks; SQLite takes its lock for the whole transaction when it writes)."""
    return by_pk(Event, event_id, lock=True)


def _modes(event: Event) -> list[str]:
    """The ways of attending that have places of their own: in person and online for a hybrid
    session, one for any other ("")."""
    if event.is_hybrid:
        return [Registration.Mode.IN_PERSON, Registration.Mode.ONLINE]
    return [""]


def _in_mode(event: Event, mode: str) -> Q:
    if not event.is_hybrid:
        return Q()
    if mode == Registration.Mode.ONLINE:
        return Q(mode=Registration.Mode.ONLINE)
    return ~Q(mode=Registration.Mode.ONLINE)  # in person, and anyone from before it was hybrid


def _places_taken(event: Event, mode: str = "") -> int:
    """Places held (in `mode`, for a hybrid session), counting those kept for people who have
    been offered them."""
    return Registration.objects.filter(
        Q(status__in=Registration.HOLDS_PLACE_STATUSES)
        | Q(status=Status.WAITLISTED, offer_expires_at__isnull=False),
        _in_mode(event, mode),
        event=event,
    ).count()


def _registration_read(pk: int) -> Registration:
    """The registration as it is now, with its person (None for a guest): read afresh under the
    caller's lock. One query, with our own SQL."""
    width = len(Registration._meta.concrete_fields)
    found = rows(
        f"SELECT {columns(Registration, 'r')}, {columns(User, 'u')} FROM {table(Registration)} r"  # noqa: S608
        f" LEFT JOIN {table(User)} u ON u.id = r.user_id WHERE r.id = %s",
        [pk],
    )
    if not found:
        raise Registration.DoesNotExist("Registration matching query does not exist.")
    (found,) = found
    (registration,) = instances(Registration, [found[:width]])
    if registration.user_id is not None:
        (registration.user,) = instances(User, [found[width:]])
    return registration


def _clean_answers(event: Event, answers: dict) -> dict:
    """Keep the answers to this event's own questions, keyed by question id."""
    if not answers:
        return {}
    question_ids = {
        str(pk) for pk in Question.objects.filter(event=event).order_by().values_list("pk", flat=True)
    }
    return {str(key): value for key, value in (answers or {}).items() if str(key) in question_ids}


@transaction.atomic
def registration_create(
    *, event: Event, user: User, answers: dict, acting_user: User | None, mode: str = ""
) -> Registration:
    """Register a person: a place if one is free, otherwise the end of the waiting list. For a
    hybrid session the person chooses `mode` (in person or online), and each has its own places
    and its own turn on the waiting list.

    Locks the event row. Idempotent: a person already confirmed or waiting gets their registration
    back unchanged (a double submit is harmless); a cancelled registration is reused.
    Raises RegistrationRefused, storing nothing, when the event is cancelled or not published,
    registration is not open, or the person is not in the event's audience.
    Emails the person after commit.
    """
    event = _lock_event(event.pk)
    registration = registration_for_user(event=event, user=user)
    if registration is not None and registration.is_active:
        return registration
    reason = registration_refusal_reason(event=event, user=user)
    if reason:
        raise RegistrationRefused(reason)

    if registration is None:
        registration = Registration(event=event, user=user)
    return registration_place(
        event=event, registration=registration, answers=answers, acting_user=acting_user, mode=mode
    )


def registration_place(
    *,
    event: Event,
    registration: Registration,
    answers: dict,
    acting_user: User | None,
    mode: str = Registration.Mode.IN_PERSON,
    tally: EventTally | None = None,
) -> Registration:
    """Give a new (or cancelled) registration, a member's or a guest's, a place if one is free,
    otherwise the end of the waiting list; save it, audit it and owe the email that says which.
    For a hybrid session `mode` says whether the person comes in person or joins online, and each
    has its own places (event.capacity_for) and its own turn on the waiting list.

    The one rule for places: the caller holds the event lock (_lock_event) and has checked that
    the person may register. Places and the waiting list count members and guests alike: the
    event's registrations are counted once (event_tally; or the caller's `tally`, read under the
    same lock), and the counts on its row written from that tally as it changes.
    Raises RegistrationRefused, storing nothing, when a hybrid session's mode is missing.
    """
    if not event.is_hybrid:
        mode = ""
    elif mode not in Registration.Mode.values:
        raise RegistrationRefused("Choose whether you will come in person or join online.")

    tally = tally or event_tally(event_id=event.pk)
    # Anyone already waiting comes before a newcomer.
    waitlist_fill_free_places(event=event, acting_user=acting_user, trigger="registration", tally=tally)
    capacity = event.capacity_for(mode)
    gets_place = capacity is None or tally.taken(hybrid=event.is_hybrid, mode=mode) < capacity
    tally.remove(registration)
    now = timezone.now()
    if registration.pk is not None:
        # A new registration after cancelling: the person's calendar must treat it as newer.
        registration.sequence += 1
    registration.created_at = now
    registration.cancelled_at = None
    registration.promoted_at = None
    registration.answers = _clean_answers(event, answers)
    registration.mode = mode
    if gets_place:
        registration.status = Status.CONFIRMED
        registration.waitlist_position = None
    else:
        registration.status = Status.WAITLISTED
        registration.waitlist_position = tally.highest_position + 1
    if registration.pk is None:
        insert(registration)  # one INSERT of our own SQL, as save() would write it
    else:
        registration.save()
    tally.add(registration)

    audit_record(
        actor=acting_user,
        action="events.registration.confirmed" if gets_place else "events.registration.waitlisted",
        target=registration,
        data={
            "event": event.slug,
            "waitlist_position": registration.waitlist_position,
            "guest": registration.is_guest,
        },
    )
    if gets_place:
        notifications_queue(items=[(registration, emails.CONFIRMED, "REQUEST")])
    else:
        notifications_queue(items=[(registration, emails.WAITLISTED, "")])
    event_counts_write(event=event, tally=tally)
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, acting_user: User | None) -> Registration:
    """Cancel a place or a place in the queue. A freed place goes to the first person waiting in
    the same transaction. Both people are emailed after commit; the person cancelling gets a
    calendar cancellation if they had a place. Cancelling twice is harmless.
    Raises RegistrationRefused once the event has started.
    """
    event = _lock_event(registration.event_id)
    registration = _registration_read(registration.pk)
    if registration.status == Status.CANCELLED:
        return registration
    if registration.status not in (Status.CONFIRMED, Status.WAITLISTED) or timezone.now() >= event.start:
        raise RegistrationRefused("This event has already started, so the registration cannot be cancelled.")

    registration.event = event
    tally = event_tally(event_id=event.pk)
    tally.remove(registration)
    had_place = registration.status == Status.CONFIRMED
    # Declining an offer (or leaving the list with one) frees the place kept for this person.
    frees_place = had_place or registration.has_offer
    registration.status = Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.waitlist_position = None
    registration.offer_expires_at = None
    if had_place:
        registration.sequence += 1
    registration.save()
    tally.add(registration)
    audit_record(
        actor=acting_user,
        action="events.registration.cancelled",
        target=registration,
        data={"event": event.slug, "had_place": had_place},
    )
    notifications_queue(items=[(registration, emails.CANCELLED, "CANCEL" if had_place else "")])
    if frees_place:
        waitlist_fill_free_places(event=event, acting_user=acting_user, trigger="cancellation", tally=tally)
    event_counts_write(event=event, tally=tally)
    return registration


def _promote(registration: Registration, *, acting_user: User | None, trigger: str) -> None:
    registration.status = Status.CONFIRMED
    registration.waitlist_position = None
    registration.offer_expires_at = None
    registration.promoted_at = timezone.now()
    registration.save(
        update_fields=["status", "waitlist_position", "offer_expires_at", "promoted_at", "updated_at"]
    )
    audit_record(
        actor=acting_user,
        action="events.registration.promoted",
        target=registration,
        data={"event": registration.event.slug, "trigger": trigger},
    )
    notifications_queue(items=[(registration, emails.PROMOTED, "REQUEST")])


def waitlist_fill_free_places(
    *, event: Event, acting_user: User | None, trigger: str, tally: EventTally | None = None
) -> list[Registration]:
    """Give free places to the people waiting, first come first served: at once, or, if the
    event offers freed places for some hours (Event.waitlist_offer_hours), as offers kept for
    them until they answer or the offer lapses (waitlist_offers_lapse). The caller holds the
    event lock. A hybrid session fills its places in the room and online each from the people
    waiting for them. Returns the people promoted or offered a place. Nobody is promoted or
    offered a place once the event has started or if it is not published.
    With the caller's `tally` (read under the same lock) it asks for the people waiting only when
    there are some and a place is free, and keeps the tally in step with what it changes."""
    now = timezone.now()
    if event.status != Event.Status.PUBLISHED or now >= event.start:
        return []
    tally = tally or event_tally(event_id=event.pk)
    chosen = []
    for mode in _modes(event):
        if not tally.queued_for(hybrid=event.is_hybrid, mode=mode):
            continue
        waiting = Registration.objects.filter(
            _in_mode(event, mode), event=event, status=Status.WAITLISTED, offer_expires_at__isnull=True
        ).order_by("waitlist_position")
        capacity = event.capacity_for(mode)
        if capacity is not None:
            free = capacity - tally.taken(hybrid=event.is_hybrid, mode=mode)
            if free <= 0:
                continue
            waiting = waiting[:free]
        offers = event.waitlist_offer_hours is not None and capacity is not None
        for registration in waiting.select_related("user"):
            registration.event = event
            tally.remove(registration)
            if offers:
                until = min(now + timedelta(hours=event.waitlist_offer_hours), event.start)
                _offer(registration, until=until, acting_user=acting_user, trigger=trigger)
            else:
                _promote(registration, acting_user=acting_user, trigger=trigger)
            tally.add(registration)
            chosen.append(registration)
    return chosen


def _offer(registration: Registration, *, until, acting_user: User | None, trigger: str) -> None:
    registration.offer_expires_at = until
    registration.save(update_fields=["offer_expires_at", "updated_at"])
    audit_record(
        actor=acting_user,
        action="events.registration.offered",
        target=registration,
        data={"event": registration.event.slug, "trigger": trigger, "until": until.isoformat()},
    )
    notifications_queue(items=[(registration, emails.OFFERED, "")])


@transaction.atomic
def registration_offer_accept(*, registration: Registration, acting_user: User | None) -> Registration:
    """The person takes the place they were offered. Locks the event row. Accepting twice is
    harmless (the place is theirs). Raises RegistrationRefused if there is no offer, or it has
    lapsed (the place then goes to the next person: waitlist_offers_lapse)."""
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_related("event", "user").get(pk=registration.pk)
    if registration.status == Status.CONFIRMED:
        return registration
    if not registration.has_offer:
        raise RegistrationRefused("There is no place on offer to you for this event.")
    if timezone.now() >= registration.offer_expires_at:
        raise RegistrationRefused("The place offered to you is no longer available: the offer has lapsed.")
    registration.event = event
    _promote(registration, acting_user=acting_user, trigger="offer accepted")
    event_counts_refresh(event_id=event.pk)
    return registration


def waitlist_offers_lapse(*, now=None) -> int:
    """Periodic: every offer whose time is up lapses, and its place is offered to the next person
    waiting (or given, if the event no longer offers). Each event is dealt with in its own
    transaction under its lock, and each offer is checked again under it, so a run twice, or
    two runs at once, lapse each offer exactly once. Returns how many offers lapsed."""
    now = now or timezone.now()
    event_ids = set(
        Registration.objects.filter(status=Status.WAITLISTED, offer_expires_at__lte=now)
        .order_by()
        .values_list("event_id", flat=True)
    )
    return sum(_lapse_event_offers(event_id=event_id, now=now) for event_id in sorted(event_ids))


@transaction.atomic
def _lapse_event_offers(*, event_id: int, now) -> int:
    event = _lock_event(event_id)
    lapsed = list(
        Registration.objects.select_related("event", "user").filter(
            event=event, status=Status.WAITLISTED, offer_expires_at__lte=now
        )
    )
    for registration in lapsed:
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.waitlist_position = None
        registration.offer_expires_at = None
        registration.save(
            update_fields=["status", "cancelled_at", "waitlist_position", "offer_expires_at", "updated_at"]
        )
        audit_record(
            actor=None,
            action="events.registration.offer_lapsed",
            target=registration,
            data={"event": event.slug},
        )
        notifications_queue(items=[(registration, emails.OFFER_LAPSED, "")])
    if lapsed:
        waitlist_fill_free_places(event=event, acting_user=None, trigger="offer lapsed")
        event_counts_refresh(event_id=event.pk)
    return len(lapsed)


@transaction.atomic
def event_fill_from_waitlist(*, event: Event, acting_user: User | None) -> list[Registration]:
    """Give any free places to the people waiting, in order; returns the people promoted."""
    chosen = waitlist_fill_free_places(event=_lock_event(event.pk), acting_user=acting_user, trigger="staff")
    event_counts_refresh(event_id=event.pk)
    return chosen


@transaction.atomic
def registration_promote(*, registration: Registration, acting_user: User | None) -> Registration:
    """Staff give a particular person on the waiting list a place, out of turn if need be.

    If the event is full its capacity is raised by one, so it is never exceeded.
    Raises RegistrationRefused if the person is not on the waiting list.
    """
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_related("event", "user").get(pk=registration.pk)
    if registration.status != Status.WAITLISTED:
        raise RegistrationRefused(f"{registration.person_name} is not on the waiting list.")
    taken = _places_taken(event, registration.mode)
    capacity = event.capacity_for(registration.mode)
    if capacity is not None and taken >= capacity:
        online = event.is_hybrid and registration.mode == Registration.Mode.ONLINE
        field = "online_capacity" if online else "capacity"
        setattr(event, field, taken + 1)
        event.save(update_fields=[field, "updated_at"])
        audit_record(
            actor=acting_user,
            action="events.event.capacity_raised",
            target=event,
            data={"field": field, "from": capacity, "to": taken + 1, "for": registration.pk},
        )
    _promote(registration, acting_user=acting_user, trigger="staff")
    event_counts_refresh(event_id=event.pk)
    return registration


@transaction.atomic
def registration_mark_attendance(
    *, registration: Registration, attended: bool, acting_user: User | None
) -> Registration:
    """Record whether a person with a place came (check-in opens CHECK_IN_OPENS_BEFORE the start,
    and the record may be changed afterwards). Raises RegistrationRefused for someone without a
    place, or before check-in opens."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "user")
        .get(pk=registration.pk)
    )
    if not registration.holds_place:
        raise RegistrationRefused(f"{registration.person_name} did not have a place.")
    if timezone.now() < registration.event.start - CHECK_IN_OPENS_BEFORE:
        raise RegistrationRefused(f"{registration.event} has not started yet: check-in opens an hour before.")
    new_status = Status.ATTENDED if attended else Status.NO_SHOW
    if registration.status != new_status:
        registration.status = new_status
        registration.save(update_fields=["status", "updated_at"])
        # Attendance opens materials, feedback and certificates on the event's pages.
        versions.event_registrations_changed(slug=registration.event.slug)
        audit_record(
            actor=acting_user,
            action="events.registration.attended" if attended else "events.registration.no_show",
            target=registration,
            data={"event": registration.event.slug},
        )
    return registration


def events_mark_no_shows(*, now=None) -> int:
    """Periodic: once a session has ended, everyone still only confirmed is marked as not having
    come (staff may change it afterwards). One conditional UPDATE per run, so running it twice
    marks nobody twice; an audit entry per session says how many. Returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    ended = Event.objects.filter(
        status=Event.Status.PUBLISHED, end__lte=now, end__gt=now - NO_SHOW_LOOKBACK
    ).filter(registrations__status=Status.CONFIRMED)
    for event in ended.distinct().order_by("end", "pk"):
        with transaction.atomic():
            count = Registration.objects.filter(event=event, status=Status.CONFIRMED).update(
                status=Status.NO_SHOW, updated_at=now
            )
            if count:
                versions.event_registrations_changed(slug=event.slug)
                audit_record(
                    actor=None, action="events.event.no_shows_marked", target=event, data={"count": count}
                )
        marked += count
    return marked


@transaction.atomic
def registration_add_walk_in(*, event: Event, user: User, acting_user: User | None) -> Registration:
    """Someone came without a place (or from the waiting list): staff check them in. They count as
    attended whatever the capacity, since they are in the room. Locks the event row. Raises
    RegistrationRefused before check-in opens. Checking in twice is harmless."""
    event = _lock_event(event.pk)
    if timezone.now() < event.start - CHECK_IN_OPENS_BEFORE:
        raise RegistrationRefused(f"{event} has not started yet: check-in opens an hour before.")
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is not None and registration.status == Status.ATTENDED:
        return registration
    if registration is None:
        registration = Registration(event=event, user=user)
    registration.status = Status.ATTENDED
    registration.waitlist_position = None
    registration.offer_expires_at = None
    registration.cancelled_at = None
    registration.save()
    audit_record(
        actor=acting_user,
        action="events.registration.walk_in",
        target=registration,
        data={"event": event.slug},
    )
    event_counts_refresh(event_id=event.pk)
    return registration
