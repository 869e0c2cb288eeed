"""What a person's own pages and calendars show: "Your events", the home page's summary, their
calendar feed, and a network's public calendar. Importable from events.selectors as well."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from loti_portal import sql
from networks.models import Membership, Network

from .calendar import CalendarEntry, attendee_sequence
from .feed_sources import personal_feed_sources
from .joining import calendar_online_link
from .models import CalendarFeed, Event, Registration
from .queue import waiting_ahead
from .visibility import events_visible_to, invited_condition, visible_condition

HOLDS_PLACE = Registration.HOLDS_PLACE_STATUSES
# Feeds show what is coming and what happened in the last few months, not every event ever.
FEED_HISTORY = timedelta(days=90)

# Someone who has joined a session online is marked attended before it ends: it stays coming up.
_UPCOMING_STATUSES = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
    Registration.Status.ATTENDED,
)


def my_events_for_user(*, user) -> tuple[list[Registration], list[Registration], str | None]:
    """What "Your events" shows, from one query for the registrations (with each waiting one's
    place in its queue) and one for the calendar feed: upcoming (confirmed or waiting, with
    `waitlist_rank`) soonest first, past (with a place) latest first, and the token of the
    person's calendar feed (None if they have none). Each registration comes with its event, both
    read with only the fields the pages show and the rules they apply need."""
    token = sql.value(f"SELECT token FROM {sql.table(CalendarFeed)} WHERE user_id = %s", [user.pk])  # noqa: S608
    registrations = _registrations_shown(user=user, now=timezone.now())
    return *_upcoming_and_past(registrations), token


def _upcoming_and_past(registrations: list[Registration]) -> tuple[list[Registration], list[Registration]]:
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.end >= now and r.status in _UPCOMING_STATUSES]
    past = [r for r in registrations if r.event.end < now and r.status in HOLDS_PLACE]
    return upcoming, past[::-1]


def _in_model_order(model, names: set[str]) -> tuple[str, ...]:
    # Model.from_db takes the values in the order of the model's fields.
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


# The fields of a registration and of its event that "Your events" and the home page show, and
# the rules they apply need (joining, certificates, waiting rank): the rest stay unread.
_REGISTRATION_FIELDS = _in_model_order(
    Registration, {"id", "event_id", "user_id", "status", "mode", "waitlist_position"}
)
_EVENT_FIELDS = _in_model_order(
    Event,
    {
        "id",
        "slug",
        "title",
        "kind",
        "start",
        "end",
        "venue",
        "online_url",
        "mode",
        "certificates_enabled",
        "status",
    },
)
_EVENT_START, _EVENT_END, _EVENT_CERTIFICATES = (
    len(_REGISTRATION_FIELDS) + _EVENT_FIELDS.index(name) for name in ("start", "end", "certificates_enabled")
)


def _shown_condition(*, user, now, past: bool) -> tuple[str, list]:
    """Which of the person's registrations the pages show (on registrations `r` of events `e`):
    coming up, confirmed or waiting (or already joined); with `past`, also those with a place at
    an event that has ended."""
    quote = connection.ops.quote_name
    upcoming = ", ".join(["%s"] * len(_UPCOMING_STATUSES))
    condition = f"(e.{quote('end')} >= %s AND r.status IN ({upcoming}))"
    params = [now, *_UPCOMING_STATUSES]
    if past:
        held = ", ".join(["%s"] * len(HOLDS_PLACE))
        condition = f"({condition} OR (e.{quote('end')} < %s AND r.status IN ({held})))"
        params += [now, *HOLDS_PLACE]
    return f"r.user_id = %s AND {condition}", [user.pk, *params]


def _registrations_shown(*, user, now, past: bool = True, limit: int | None = None) -> list[Registration]:
    quote = connection.ops.quote_name
    condition, params = _shown_condition(user=user, now=now, past=past)
    limited = "" if limit is None else f" LIMIT {int(limit)}"
    columns = ", ".join(
        [
            *(f"r.{quote(name)}" for name in _REGISTRATION_FIELDS),
            *(f"e.{quote(name)}" for name in _EVENT_FIELDS),
        ]
    )
    # Who waits ahead, counted for the waiting registrations only.
    ahead, ahead_params = waiting_ahead(
        event_id="r.event_id", mode="r.mode", waitlist_position="r.waitlist_position"
    )
    found = sql.rows(
        f"SELECT {columns}, CASE WHEN r.status = %s THEN {ahead} END"  # noqa: S608
        f" FROM {sql.table(Registration)} r JOIN {sql.table(Event)} e ON e.id = r.event_id"
        f" WHERE {condition} ORDER BY e.{quote('start')}, e.id{limited}",
        [Registration.Status.WAITLISTED, *ahead_params, *params],
        datetimes=(_EVENT_START, _EVENT_END),
        booleans=(_EVENT_CERTIFICATES,),
    )
    registrations = []
    split = len(_REGISTRATION_FIELDS)
    for row in found:
        registration = Registration.from_db(connection.alias, _REGISTRATION_FIELDS, row[:split])
        registration.event = Event.from_db(connection.alias, _EVENT_FIELDS, row[split:-1])
        registration.waitlist_rank = None if row[-1] is None else row[-1] + 1
        registrations.append(registration)
    return registrations


def my_event_slugs(*, user):
    """The addresses of the events "Your events" shows for the person (one query, when first
    iterated): the page is kept under their versions (loti_portal.versions.cached_page), since
    any change of a registration renews its event's."""
    condition, params = _shown_condition(user=user, now=timezone.now(), past=True)
    found = sql.rows(
        f"SELECT e.slug FROM {sql.table(Registration)} r JOIN {sql.table(Event)} e"  # noqa: S608
        f" ON e.id = r.event_id WHERE {condition} ORDER BY e.slug",
        params,
    )
    yield from (slug for (slug,) in found)


def calendar_feed_for_user(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_owner(*, token: str) -> User:
    """The person behind a secret feed address; 404 for an unknown or replaced address."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar")
    return feed.user


def _feed_rows(*, user) -> tuple[QuerySet[Registration], QuerySet[Event]]:
    """What a person's feed shows: the events they have a place at or are waiting for, and their
    networks' meetings, that they may see (events_visible_to), from FEED_HISTORY ago on."""
    since = timezone.now() - FEED_HISTORY
    registrations = Registration.objects.filter(
        user=user,
        event__in=events_visible_to(user=user),
        event__end__gte=since,
        status__in=[*HOLDS_PLACE, Registration.Status.WAITLISTED],
    )
    my_networks = Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, network__status=Network.Status.ACTIVE
    ).values("network_id")
    meetings = events_visible_to(user=user).filter(
        kind=Event.Kind.NETWORK_MEETING, network_id__in=my_networks, end__gte=since
    )
    return registrations, meetings


def calendar_feed_version(*, user) -> tuple:
    """What the person's feed depends on, read cheaply (ids, statuses and change times, no
    rendering): the feed drawn for one version is the feed for as long as this stays the same."""
    registrations, meetings = _feed_rows(user=user)
    return (
        tuple(
            registrations.order_by("pk").values_list(
                "pk", "status", "sequence", "updated_at", "event__updated_at", "event__sequence"
            )
        ),
        tuple(meetings.order_by("pk").values_list("pk", "updated_at", "sequence")),
        tuple((source.name, source.version(user=user)) for source in personal_feed_sources()),
    )


def calendar_feed_entries(*, user) -> list[CalendarEntry]:
    """The entries of the person's feed (see _feed_rows), soonest first."""
    registrations, meetings = _feed_rows(user=user)
    entries = {
        registration.event_id: CalendarEntry(
            event=registration.event,
            sequence=attendee_sequence(registration),
            online_link=calendar_online_link(registration, registration.event),
            tentative=registration.status == Registration.Status.WAITLISTED,
        )
        for registration in registrations.select_related("event")
    }
    for meeting in meetings:
        entries.setdefault(meeting.pk, CalendarEntry(event=meeting, sequence=meeting.sequence))
    return sorted(entries.values(), key=lambda entry: (entry.event.start, entry.event.pk))


def network_feed_entries(*, slug: str) -> tuple[Network, list[CalendarEntry]]:
    """A network's public calendar: its published (and cancelled) events, not invitation-only ones.
    An archived network has none: its pages exist only for staff, and so does nothing else."""
    network = Network.objects.filter(slug=slug, status=Network.Status.ACTIVE).first()
    if network is None:
        raise Http404("No such network")
    events = (
        events_visible_to(user=AnonymousUser())
        .filter(network=network, end__gte=timezone.now() - FEED_HISTORY)
        .order_by("start", "id")
    )
    return network, [CalendarEntry(event=event, sequence=event.sequence) for event in events]


HOME_LIST_LENGTH = 3


@dataclass(frozen=True)
class HomeEvent:
    """An event the home page lists: its address, title and time, and its network's name."""

    slug: str
    title: str
    start: datetime
    end: datetime
    network_name: str = ""


@dataclass(frozen=True)
class PendingApplication:
    """An application to join a network that waits for a decision."""

    network_slug: str
    network_name: str
    applied_at: datetime | None


@dataclass(frozen=True)
class HomeSummary:
    """What a signed-in person's home page shows: what is next for them and what waits on them."""

    next_sessions: list[Registration]
    next_meetings: list[HomeEvent]
    invited_to: list[HomeEvent]
    pending_applications: list[PendingApplication]
    more_sessions: bool


def home_summary_for_user(*, user) -> HomeSummary:
    """The person's next sessions (with a place or waiting, as "Your events" shows them), the
    next meetings of their networks that they may see (the one visibility rule,
    `visible_condition`), invitation-only sessions they are invited to but not registered for,
    and their applications waiting for a decision. Four queries whatever the data."""
    now = timezone.now()
    upcoming = _registrations_shown(user=user, now=now, past=False, limit=HOME_LIST_LENGTH + 1)
    return HomeSummary(
        next_sessions=upcoming[:HOME_LIST_LENGTH],
        next_meetings=_next_meetings(user=user, now=now),
        invited_to=_invited_to(user=user, now=now),
        pending_applications=_pending_applications(user=user),
        more_sessions=len(upcoming) > HOME_LIST_LENGTH,
    )


def _home_events(*, user, now, joins: str = "", condition: str, params: list) -> list[HomeEvent]:
    """Published events (on `e`) that have not ended, that the person may see and that meet
    `condition`, soonest first, HOME_LIST_LENGTH at most; `joins` may add the network `n`."""
    quote = connection.ops.quote_name
    visible = visible_condition(user=user, alias="e")
    visible_sql, visible_params = (" AND " + visible[0], visible[1]) if visible else ("", [])
    network_name = "n.name" if joins else "''"
    found = sql.rows(
        f"SELECT e.slug, e.title, e.{quote('start')}, e.{quote('end')}, {network_name}"  # noqa: S608
        f" FROM {sql.table(Event)} e {joins}"
        f" WHERE e.status = %s AND e.{quote('end')} >= %s AND {condition}{visible_sql}"
        f" ORDER BY e.{quote('start')}, e.id LIMIT {HOME_LIST_LENGTH}",
        [Event.Status.PUBLISHED, now, *params, *visible_params],
        datetimes=(2, 3),
    )
    return [HomeEvent(*row) for row in found]


def _next_meetings(*, user, now) -> list[HomeEvent]:
    # Not those the person is registered for already: they are among their next sessions.
    upcoming = ", ".join(["%s"] * len(_UPCOMING_STATUSES))
    return _home_events(
        user=user,
        now=now,
        joins=f"JOIN {sql.table(Network)} n ON n.id = e.network_id",
        condition=(
            f"e.kind = %s AND e.network_id IN (SELECT network_id FROM {sql.table(Membership)}"  # noqa: S608
            " WHERE user_id = %s AND status = %s)"
            f" AND e.id NOT IN (SELECT event_id FROM {sql.table(Registration)}"
            f" WHERE user_id = %s AND status IN ({upcoming}))"
        ),
        params=[Event.Kind.NETWORK_MEETING, user.pk, Membership.Status.ACTIVE, user.pk, *_UPCOMING_STATUSES],
    )


def _invited_to(*, user, now) -> list[HomeEvent]:
    invited_sql, invited_params = invited_condition(user=user, alias="e")
    return _home_events(
        user=user,
        now=now,
        condition=(
            f"e.audience = %s AND {invited_sql}"  # noqa: S608
            f" AND e.id NOT IN (SELECT event_id FROM {sql.table(Registration)} WHERE user_id = %s)"
        ),
        params=[Event.Audience.INVITATION, *invited_params, user.pk],
    )


def _pending_applications(*, user) -> list[PendingApplication]:
    found = sql.rows(
        f"SELECT n.slug, n.name, m.applied_at FROM {sql.table(Membership)} m"  # noqa: S608
        f" JOIN {sql.table(Network)} n ON n.id = m.network_id"
        " WHERE m.user_id = %s AND m.status = %s ORDER BY m.applied_at, m.id",
        [user.pk, Membership.Status.PENDING],
        datetimes=(2,),
    )
    return [PendingApplication(*row) for row in found]
