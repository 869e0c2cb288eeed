"""Reads for an event's page, with our own SQL where building the ORM's queries costs more than
the page itself (loti_portal.sql): the event with its network's name and address and the
person's own registration in one query, asked through the one visibility rule
(events.visibility.visible_condition), so that an event the person may not see is a 404 exactly
as event_get_for_user gives it.

The rows become model instances (Event(**values), the model's own constructor) for the rules
the page applies (places left, who may register, the joining address), which take instances;
they live for this request only."""

from dataclasses import dataclass

from django.db import models
from django.http import Http404

from loti_portal.sql import rows, table
from networks.models import Network

from .models import Event, Registration, Speaker
from .visibility import visible_condition

# Every column of the event: the page shows most of them and the rules it applies read the rest.
EVENT_FIELDS = tuple(field.attname for field in Event._meta.concrete_fields)
# The person's registration as the page and its rules read it (status, place in the queue, an
# open offer, how they attend, when they joined a session online).
REGISTRATION_FIELDS = (
    "id",
    "status",
    "mode",
    "waitlist_position",
    "offer_expires_at",
    "joined_at",
    "sequence",
)


def _conversions(model, fields, start: int) -> dict[str, list[int]]:
    """Where the datetime, date and boolean columns of `fields` sit in the row (from `start`),
    for rows() to convert them on SQLite as the ORM does."""
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    found: dict[str, list[int]] = {"datetimes": [], "dates": [], "booleans": []}
    for position, name in enumerate(fields, start):
        field = by_name[name]
        if isinstance(field, models.DateTimeField):
            found["datetimes"].append(position)
        elif isinstance(field, models.DateField):
            found["dates"].append(position)
        elif isinstance(field, models.BooleanField):
            found["booleans"].append(position)
    return found


_NETWORK_START = len(EVENT_FIELDS)
_REGISTRATION_START = _NETWORK_START + 2
_EVENT_CONVERSIONS = _conversions(Event, EVENT_FIELDS, 0)
_WITH_REGISTRATION_CONVERSIONS = {
    key: (*positions, *_conversions(Registration, REGISTRATION_FIELDS, _REGISTRATION_START)[key])
    for key, positions in _EVENT_CONVERSIONS.items()
}


@dataclass(frozen=True)
class EventPage:
    event: Event
    # The person's own registration, whatever its status, or None.
    registration: Registration | None


def event_page_for_user(*, user, slug: str) -> EventPage:
    """The event named by `slug` with its network (slug and name only) and this person's own
    registration (any status); Http404 if the event does not exist or the person may not see it
    (visible_condition). One query."""
    columns = ", ".join(f"e.{name}" for name in EVENT_FIELDS)
    signed_in = user.is_authenticated
    registration_columns = ", ".join(f"r.{name}" for name in REGISTRATION_FIELDS) if signed_in else ""
    sql = (
        f"SELECT {columns}, n.slug, n.name"  # noqa: S608 (names from the models, values are parameters)
        + (f", {registration_columns}" if signed_in else "")
        + f" FROM {table(Event)} e LEFT JOIN {table(Network)} n ON n.id = e.network_id"
    )
    params: list = []
    if signed_in:
        sql += f" LEFT JOIN {table(Registration)} r ON r.event_id = e.id AND r.user_id = %s"
        params.append(user.pk)
    sql += " WHERE e.slug = %s"
    params.append(slug)
    condition = visible_condition(user=user, alias="e")
    if condition is not None:
        sql += f" AND {condition[0]}"
        params.extend(condition[1])
    found = rows(sql, params, **(_WITH_REGISTRATION_CONVERSIONS if signed_in else _EVENT_CONVERSIONS))
    if not found:
        raise Http404(f"No {Event._meta.object_name} matches the given query.")  # as get_object_or_404 says
    row = found[0]
    event = Event(**dict(zip(EVENT_FIELDS, row[:_NETWORK_START], strict=True)))
    if event.network_id is not None:
        event.network = Network(id=event.network_id, slug=row[_NETWORK_START], name=row[_NETWORK_START + 1])
    registration = None
    if signed_in and row[_REGISTRATION_START] is not None:
        values = dict(zip(REGISTRATION_FIELDS, row[_REGISTRATION_START:], strict=True))
        registration = Registration(event=event, user=user, **values)
    return EventPage(event=event, registration=registration)


def event_speakers_rows(*, event: Event) -> list[Speaker]:
    """The event's speakers in their order: one query."""
    found = rows(
        f"SELECT id, name, organisation, role, position FROM {table(Speaker)}"  # noqa: S608
        " WHERE event_id = %s ORDER BY position, id",
        [event.pk],
    )
    return [
        Speaker(id=pk, event_id=event.pk, name=name, organisation=organisation, role=role, position=position)
        for pk, name, organisation, role, position in found
    ]


__all__ = ["EventPage", "event_page_for_user", "event_speakers_rows"]
