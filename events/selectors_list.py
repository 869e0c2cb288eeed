"""The events list's reads (the list, the archive and their filters), with our own SQL: building
a query through the ORM costs more Python than the rest of the page, so the list reads its rows
in two plain queries, the filters' choices with the listing's count in one, and a page of cards
in the other. Who may see an event is the one rule (visibility.visible_condition) in both.
Importable from events.selectors as well."""

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils import timezone

from loti_portal.sql import rows, table
from networks.models import Network

from .models import Event, Registration
from .visibility import visible_condition

EVENTS_PER_PAGE = 20


class EventCard(NamedTuple):
    """What a card of the events list shows of one event, read as one row: its own columns, its
    network's name and the person's own registration status (None if they have none)."""

    id: int
    slug: str
    title: str
    summary: str
    status: str
    kind: str
    audience: str
    programme: str
    start: object
    end: object
    venue: str
    online_url: str
    mode: str
    capacity: int | None
    online_capacity: int | None
    places_taken: int
    online_places_taken: int
    network_id: int | None
    network_name: str | None
    my_status: str | None

    # The model's own rules, the same functions, so that places left (selectors.places_left,
    # places_left_by_mode) are worked out one way whether a card comes from a row or the ORM.
    Mode = Event.Mode
    is_hybrid = Event.is_hybrid
    capacity_for = Event.capacity_for


class LiveCard(NamedTuple):
    """What the live parts of a kept card show (events.cards.card_live_parts: the tag and places
    left), read as one row: the columns a registration or an edit changes, and the person's own
    registration status."""

    id: int
    status: str
    audience: str
    mode: str
    capacity: int | None
    online_capacity: int | None
    places_taken: int
    online_places_taken: int
    my_status: str | None

    Mode = Event.Mode
    is_hybrid = Event.is_hybrid
    capacity_for = Event.capacity_for


class NetworkChoice(NamedTuple):
    """A network the filters offer: the form shows its name and takes its address."""

    id: int
    slug: str
    name: str


# The card's own columns, in EventCard's order (then come the network's name and the status).
_OWN_COLUMNS = (
    "id",
    "slug",
    "title",
    "summary",
    "status",
    "kind",
    "audience",
    "programme",
    "start",
    "end",
    "venue",
    "online_url",
    "mode",
    "capacity",
    "online_capacity",
    "places_taken",
    "online_places_taken",
    "network_id",
)
_START, _END = _OWN_COLUMNS.index("start"), _OWN_COLUMNS.index("end")
_LIVE_COLUMNS = LiveCard._fields[:-1]


@cache
def _card_columns(vendor: str) -> str:
    """The card's own columns, then its network's name, for the database in use ("end" is a word
    of SQL: names are quoted)."""
    return ", ".join([*(f"e.{connection.ops.quote_name(column)}" for column in _OWN_COLUMNS), "n.name"])


def _live_columns() -> str:
    return ", ".join(f"e.{column}" for column in _LIVE_COLUMNS)


def _end() -> str:
    return f"e.{connection.ops.quote_name('end')}"


def _visible(user) -> tuple[str, list]:
    condition = visible_condition(user=user, alias="e")
    return condition if condition is not None else ("1 = 1", [])


class ListingSummary(NamedTuple):
    """The filters' choices, and how many events each combination of network, programme and kind
    has, upcoming and past, among the events the person may see."""

    networks: list[NetworkChoice]
    programmes: list[str]
    groups: list[tuple]  # (network_id, programme, kind, upcoming, past)

    def count(self, *, past: bool, network=None, kind: str = "", programme: str = "") -> int:
        """How many events the listing shows with these filters."""
        network_id = network.id if network is not None else None
        column = 4 if past else 3
        return sum(
            group[column]
            for group in self.groups
            if (network_id is None or group[0] == network_id)
            and (not kind or group[2] == kind)
            and (not programme or group[1] == programme)
        )


def event_listing_summary(*, user, now=None) -> ListingSummary:
    """The events list's filters (the networks and programmes that have events this person may
    see) and the counts of every listing they can ask for: one query, grouped by network,
    programme and kind, whatever the number of events or registrations."""
    condition, params = _visible(user)
    # Counted from one index (Event.Meta.indexes), the networks' names joined to the few groups.
    found = rows(
        f"SELECT g.network_id, n.slug, n.name, g.programme, g.kind, g.upcoming, g.total FROM"  # noqa: S608
        f" (SELECT e.network_id, e.programme, e.kind, SUM(CASE WHEN {_end()} >= %s THEN 1 ELSE 0 END)"
        f" AS upcoming, COUNT(*) AS total FROM {table(Event)} e WHERE {condition}"
        " GROUP BY e.network_id, e.programme, e.kind) g"
        f" LEFT JOIN {table(Network)} n ON n.id = g.network_id",
        [now or timezone.now(), *params],
    )
    networks, programmes, groups = {}, set(), []
    for network_id, slug, name, programme, kind, upcoming, total in found:
        if network_id is not None:
            networks[network_id] = NetworkChoice(network_id, slug, name)
        if programme:
            programmes.add(programme)
        groups.append((network_id, programme, kind, upcoming, total - upcoming))
    return ListingSummary(
        networks=sorted(networks.values(), key=lambda network: (network.name, network.id)),
        programmes=sorted(programmes),
        groups=groups,
    )


def _cards_sql(
    user, where: str, where_params: Sequence, tail: str = "", *, live: bool = False
) -> tuple[str, list]:
    """The cards' query: the card columns, the network's name and (signed in) the person's own
    status, for the events they may see that meet `where`; `live`: only what a LiveCard shows."""
    condition, params = _visible(user)
    status, join, join_params = "NULL", "", []
    if user.is_authenticated:
        # At most one row: a registration is unique per event and person.
        status, join_params = "r.status", [user.pk]
        join = f" LEFT JOIN {table(Registration)} r ON r.event_id = e.id AND r.user_id = %s"
    selected = _live_columns() if live else _card_columns(connection.vendor)
    network = "" if live else f" LEFT JOIN {table(Network)} n ON n.id = e.network_id"
    sql = (
        f"SELECT {selected}, {status} FROM {table(Event)} e{network}{join}"  # noqa: S608
        f" WHERE {condition} AND {where}{tail}"
    )
    return sql, [*join_params, *params, *where_params]


def _read_cards(sql: str, params: Sequence) -> list[EventCard]:
    return [EventCard(*row) for row in rows(sql, params, datetimes=(_START, _END))]


class _Listing:
    """A listing for the Paginator: its length known already, a page of it read with one query."""

    def __init__(self, length: int, read):
        self.length, self.read = length, read

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, part: slice) -> list[EventCard]:
        return self.read(offset=part.start, limit=part.stop - part.start)


def event_list_page_for_user(
    *,
    user,
    page_number,
    summary: ListingSummary,
    past: bool = False,
    network: NetworkChoice | None = None,
    kind: str = "",
    programme: str = "",
    now=None,
) -> Page:
    """One page (EVENTS_PER_PAGE) of the events this person may see, upcoming soonest first or
    past latest first, with the filters given, as EventCards: one query (none for an empty
    listing), the count coming from the listing's summary (event_listing_summary)."""
    where = [f"{_end()} < %s" if past else f"{_end()} >= %s"]
    where_params = [now or timezone.now()]
    network_id = network.id if network is not None else None
    for column, wanted in (("network_id", network_id), ("kind", kind), ("programme", programme)):
        if wanted:
            where.append(f"e.{column} = %s")
            where_params.append(wanted)
    order = " ORDER BY e.start DESC, e.id DESC" if past else " ORDER BY e.start, e.id"

    def read(*, offset: int, limit: int) -> list[EventCard]:
        if limit <= 0:
            return []
        sql, params = _cards_sql(user, " AND ".join(where), where_params, f"{order} LIMIT %s OFFSET %s")
        return _read_cards(sql, [*params, limit, offset])

    length = summary.count(past=past, network=network, kind=kind, programme=programme)
    return Paginator(_Listing(length, read), EVENTS_PER_PAGE).get_page(page_number)


def event_live_cards_by_id(*, user, ids: Sequence[int]) -> dict[int, LiveCard]:
    """What the live parts of these events' cards show (LiveCard), for those the person may see,
    by id, read afresh: one query by primary key (what a registration changes on a kept page of
    the list)."""
    if not ids:
        return {}
    holes = ", ".join(["%s"] * len(ids))
    sql, params = _cards_sql(user, f"e.id IN ({holes})", list(ids), live=True)
    return {card.id: card for card in map(LiveCard._make, rows(sql, params))}


def public_sessions_upcoming(*, limit: int = 3, now=None) -> list[EventCard]:
    """The next sessions open to everyone (Audience.PUBLIC) that anyone may see
    (visible_condition), soonest first: what the events list offers a signed-out visitor first.
    One query."""
    from django.contrib.auth.models import AnonymousUser

    sql, params = _cards_sql(
        AnonymousUser(),
        f"e.audience = %s AND e.status = %s AND {_end()} >= %s",
        [Event.Audience.PUBLIC, Event.Status.PUBLISHED, now or timezone.now()],
        " ORDER BY e.start, e.id LIMIT %s",
    )
    return _read_cards(sql, [*params, limit])
