"""The counts an event's pages show (places taken, online places taken, people waiting), kept on
the event's row so that listing and showing events reads no registrations.

Every service that changes a registration's status, mode or offer, or adds or deletes one, writes
them in its own transaction, under the event lock it already holds, from a count of the
registrations made there and then, never added to or taken from what the row said, so they cannot
drift from what the registrations say. Two ways, the same counts:

- event_counts_refresh recounts onto the row with one UPDATE (on the (event, status) index), after
  the change: for changes that decide nothing from the counts (staff's, the periodic jobs').
- registering and cancelling, which decide places from the counts, read them once as an
  EventTally (event_tally: one aggregate query, after taking the lock), keep the tally in step with
  each registration they change (EventTally.remove before the change, EventTally.add after) and
  write it with event_counts_write: a plain UPDATE of three numbers.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from loti_portal import versions
from loti_portal.sql import execute, rows, table

from ..models import Event, Registration

Status = Registration.Status
COUNT_FIELDS = ("places_taken", "online_places_taken", "waiting_count")


def _counted(condition: Q) -> Coalesce:
    rows = (
        Registration.objects.filter(condition, event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# A place is taken by a registration that holds one, or kept for someone waiting who has been
# offered it (Registration.has_offer).
_TAKES_PLACE = Q(status__in=Registration.HOLDS_PLACE_STATUSES) | Q(
    status=Status.WAITLISTED, offer_expires_at__isnull=False
)


def event_counts_expressions() -> dict:
    """The counts of an event as expressions over its registrations: what the row must hold."""
    return {
        "places_taken": _counted(_TAKES_PLACE),
        "online_places_taken": _counted(_TAKES_PLACE & Q(mode=Registration.Mode.ONLINE)),
        "waiting_count": _counted(Q(status=Status.WAITLISTED)),
    }


@dataclass
class EventTally:
    """An event's registrations counted as its decisions about places need them: the counts its
    row holds (COUNT_FIELDS), the people waiting without an offer and the highest place in the
    queue. Read under the event lock (event_tally) and kept in step by the caller with every
    registration it changes, it stays what a recount would say until the transaction ends."""

    places_taken: int
    online_places_taken: int
    waiting_count: int
    queued: int
    online_queued: int
    highest_position: int

    def taken(self, *, hybrid: bool, mode: str) -> int:
        """Places taken (for `mode`, in a hybrid session: in person counts everyone not online,
        as the registrations did before the session became hybrid)."""
        if not hybrid:
            return self.places_taken
        if mode == Registration.Mode.ONLINE:
            return self.online_places_taken
        return self.places_taken - self.online_places_taken

    def queued_for(self, *, hybrid: bool, mode: str) -> int:
        """People waiting without an offer (for `mode`, in a hybrid session)."""
        if not hybrid:
            return self.queued
        if mode == Registration.Mode.ONLINE:
            return self.online_queued
        return self.queued - self.online_queued

    def _count(self, registration: Registration, sign: int) -> None:
        online = registration.mode == Registration.Mode.ONLINE
        waiting = registration.status == Status.WAITLISTED
        if registration.holds_place or registration.has_offer:
            self.places_taken += sign
            self.online_places_taken += sign * online
        if waiting:
            self.waiting_count += sign
        if waiting and registration.offer_expires_at is None:
            self.queued += sign
            self.online_queued += sign * online

    def remove(self, registration: Registration) -> None:
        """Take out a stored registration as it is now, before changing it (or deleting it)."""
        if registration.pk is not None:
            self._count(registration, -1)

    def add(self, registration: Registration) -> None:
        """Count a registration as it has just been saved."""
        self._count(registration, +1)
        if registration.waitlist_position is not None:
            self.highest_position = max(self.highest_position, registration.waitlist_position)


def event_tally(*, event_id: int) -> EventTally:
    """The event's registrations counted (one query of our own SQL, grouped by status and way of
    attending). Call it holding the event lock, after it is taken, so that nobody else changes
    them until the transaction ends. What takes a place is _TAKES_PLACE, said of each group."""
    groups = rows(
        f"SELECT status, mode, COUNT(*), COUNT(offer_expires_at), MAX(waitlist_position)"  # noqa: S608
        f" FROM {table(Registration)} WHERE event_id = %s GROUP BY status, mode",
        [event_id],
    )
    tally = EventTally(0, 0, 0, 0, 0, 0)
    for status, mode, count, offered, highest in groups:
        online = mode == Registration.Mode.ONLINE
        if status in Registration.HOLDS_PLACE_STATUSES:
            taking = count
        elif status == Status.WAITLISTED:
            taking = offered  # waiting, with an offer: the place is kept for them
            tally.waiting_count += count
            tally.queued += count - offered
            tally.online_queued += (count - offered) * online
        else:
            taking = 0
        tally.places_taken += taking
        tally.online_places_taken += taking * online
        tally.highest_position = max(tally.highest_position, highest or 0)
    return tally


def event_counts_write(*, event: Event, tally: EventTally) -> None:
    """Write the tally's counts onto the event's row (and the instance): one UPDATE. Call it in the
    transaction that read the tally, holding the event lock. The event's page and "Your events"
    are drawn afresh after commit (the events list fills in places left afresh)."""
    counts = {field: getattr(tally, field) for field in COUNT_FIELDS}
    assignments = ", ".join(f"{Event._meta.get_field(field).column} = %s" for field in COUNT_FIELDS)
    execute(f"UPDATE {table(Event)} SET {assignments} WHERE id = %s", [*counts.values(), event.pk])  # noqa: S608
    for field, value in counts.items():
        setattr(event, field, value)
    versions.event_registrations_changed(slug=event.slug)


def event_counts_refresh(*, event_id: int) -> None:
    """Recount the event's places taken and people waiting onto its row (one UPDATE). Call it in
    the transaction of the change, holding the event lock; safe to call twice. The event's page
    and "Your events" are drawn afresh after commit (the events list fills in places left
    afresh)."""
    Event.objects.filter(pk=event_id).update(**event_counts_expressions())
    slug = Event.objects.filter(pk=event_id).values_list("slug", flat=True).first()
    if slug is not None:
        versions.event_registrations_changed(slug=slug)


def events_counts_refresh_all() -> int:
    """Recount every event's counts (after loading registrations in bulk, outside the services).
    Returns how many events were recounted."""
    return Event.objects.update(**event_counts_expressions())
