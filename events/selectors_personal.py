"""What a person's own pages and calendars show: "Your events", the home page's summary, their
calendar feed, and a network's public calendar. Importable from events.selectors as well."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from networks.models import Membership, Network

from .calendar import CalendarEntry, attendee_sequence
from .feed_sources import personal_feed_sources
from .joining import calendar_online_link
from .models import CalendarFeed, Event, Registration
from .visibility import events_visible_to, invited, registered

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
    """What "Your events" shows, from one query for the registrations and one for the calendar
    feed: upcoming (confirmed or waiting, with `waitlist_rank`) soonest first, past (with a place)
    latest first, and the token of the person's calendar feed (None if they have none)."""
    feed = calendar_feed_for_user(user=user)
    registrations = _registrations_shown(user=user, now=timezone.now())
    return *_upcoming_and_past(registrations), feed.token if feed else None


def _upcoming_and_past(registrations: list[Registration]) -> tuple[list[Registration], list[Registration]]:
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.end >= now and r.status in _UPCOMING_STATUSES]
    past = [r for r in registrations if r.event.end < now and r.status in HOLDS_PLACE]
    return upcoming, past[::-1]


def _registrations_shown(*, user, now) -> list[Registration]:
    registrations = list(
        Registration.objects.filter(user=user)
        .filter(
            Q(event__end__gte=now, status__in=_UPCOMING_STATUSES)
            | Q(event__end__lt=now, status__in=HOLDS_PLACE)
        )
        .select_related("event")
        .defer("answers", "event__description")
        .order_by("event__start", "event__id")
    )
    _add_waitlist_ranks(registrations)
    return registrations


def _add_waitlist_ranks(registrations: list[Registration]) -> None:
    """Each waiting registration's place in its queue as `waitlist_rank` (None for the others),
    as waitlist_rank() says it: one query counting who is ahead in each, and none at all when the
    person is waiting for nothing (most people, most of the time)."""
    waiting = [r for r in registrations if r.status == Registration.Status.WAITLISTED]
    for registration in registrations:
        registration.waitlist_rank = None
    if not waiting:
        return
    # One count per waiting registration, in one row: who is ahead in the same queue.
    ahead = {
        f"ahead_{index}": Count(
            "pk",
            filter=Q(
                event_id=registration.event_id,
                mode=registration.mode,
                waitlist_position__lt=registration.waitlist_position,
            ),
        )
        for index, registration in enumerate(waiting)
    }
    counts = Registration.objects.filter(
        status=Registration.Status.WAITLISTED, event_id__in={r.event_id for r in waiting}
    ).aggregate(**ahead)
    for index, registration in enumerate(waiting):
        registration.waitlist_rank = counts[f"ahead_{index}"] + 1


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
class HomeSummary:
    """What a signed-in person's home page shows: what is next for them and what waits on them."""

    next_sessions: list[Registration]
    next_meetings: list[Event]
    invited_to: list[Event]
    pending_applications: list[Membership]
    more_sessions: bool


def home_summary_for_user(*, user) -> HomeSummary:
    """The person's next sessions (with a place or waiting), the next meetings of their networks
    that they may see (the one visibility rule, `events_visible_to`), invitation-only sessions
    they are invited to but not registered for, and their applications waiting for a decision.
    A fixed number of queries whatever the data."""
    upcoming, _past, _token = my_events_for_user(user=user)
    now = timezone.now()
    my_networks = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("network_id")
    next_meetings = list(
        events_visible_to(user=user)
        .filter(
            kind=Event.Kind.NETWORK_MEETING,
            status=Event.Status.PUBLISHED,
            end__gte=now,
            network_id__in=my_networks,
        )
        .exclude(pk__in=[registration.event_id for registration in upcoming])
        .select_related("network")
        .defer("description")
        .order_by("start", "id")[:HOME_LIST_LENGTH]
    )
    invited_to = list(
        events_visible_to(user=user)
        .filter(audience=Event.Audience.INVITATION, status=Event.Status.PUBLISHED, end__gte=now)
        .filter(invited(user))
        .exclude(registered(user))
        .defer("description")
        .order_by("start", "id")[:HOME_LIST_LENGTH]
    )
    pending_applications = list(
        Membership.objects.filter(user=user, status=Membership.Status.PENDING)
        .select_related("network")
        .order_by("applied_at", "id")
    )
    return HomeSummary(
        next_sessions=upcoming[:HOME_LIST_LENGTH],
        next_meetings=next_meetings,
        invited_to=invited_to,
        pending_applications=pending_applications,
        more_sessions=len(upcoming) > HOME_LIST_LENGTH,
    )
