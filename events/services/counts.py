"""The counts an event's pages show (places taken, online places taken, people waiting), kept on
the event's row so that listing and showing events reads no registrations.

Every service that changes a registration's status, mode or offer, or adds or deletes one, calls
event_counts_refresh in its own transaction, under the event lock it already holds: the counts
are recounted from the registrations there and then (one UPDATE, on the (event, status) index),
never added to or taken from, so they cannot drift from what the registrations say.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from loti_portal import versions

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


def event_counts_refresh(*, event_id: int) -> None:
    """Recount the event's places taken and people waiting onto its row (one UPDATE). Call it in
    the transaction of the change, holding the event lock; safe to call twice. The event's page
    and the lists of events are drawn afresh after commit."""
    Event.objects.filter(pk=event_id).update(**event_counts_expressions())
    slug = Event.objects.filter(pk=event_id).values_list("slug", flat=True).first()
    if slug is not None:
        versions.event_changed(slug=slug)


def events_counts_refresh_all() -> int:
    """Recount every event's counts (after loading registrations in bulk, outside the services).
    Returns how many events were recounted."""
    return Event.objects.update(**event_counts_expressions())
