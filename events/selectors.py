"""Reads that decide who may see what. Every object taken from a URL comes through here."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import (
    person_awaits_organisation_review,
    person_is_borough_member,
    person_organisation,
)
from networks.models import Membership, Network

from .calendar import CalendarEntry, attendee_sequence
from .formatting import format_datetime
from .models import CalendarFeed, Event, Invitation, Question, Registration, Speaker

HOLDS_PLACE = Registration.HOLDS_PLACE_STATUSES
# Feeds show what is coming and what happened in the last few months, not every event ever.
FEED_HISTORY = timedelta(days=90)


def _invited(user) -> Exists:
    return Exists(Invitation.objects.filter(event=OuterRef("pk"), email__iexact=user.email))


def _registered(user) -> Exists:
    return Exists(Registration.objects.filter(event=OuterRef("pk"), user=user))


# Who may see an event, the one rule every page, list, filter, count, feed, reminder and email
# follows: events_visible_to (the events a person may see), event_visible_to (may they see this
# one) and users_who_may_see (which of some people may see this one) say the same thing, from
# either side; tests/trust/test_visibility.py checks that they agree for every kind of person.
VISIBLE_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


def events_visible_to(*, user) -> QuerySet[Event]:
    """Published and cancelled events; invitation-only ones only for the people invited (or
    already registered); drafts only for staff."""
    events = Event.objects.all()
    if user.is_authenticated and user.is_staff:
        return events
    events = events.filter(status__in=VISIBLE_STATUSES)
    if not user.is_authenticated:
        return events.exclude(audience=Event.Audience.INVITATION)
    return events.filter(~Q(audience=Event.Audience.INVITATION) | _invited(user) | _registered(user))


def event_visible_to(*, user, event: Event) -> bool:
    """May this person see this event (events_visible_to for one event). No query unless the
    event is invitation-only and the person is signed in and not staff."""
    if user.is_authenticated and user.is_staff:
        return True
    if event.status not in VISIBLE_STATUSES:
        return False
    if event.audience != Event.Audience.INVITATION:
        return True
    if not user.is_authenticated:
        return False
    return events_visible_to(user=user).filter(pk=event.pk).exists()


def users_who_may_see(*, event: Event, users: QuerySet[User]) -> QuerySet[User]:
    """Those of `users` who may see the event (events_visible_to, from the event's side): for the
    recipients of a reminder or any other email about it."""
    if event.status not in VISIBLE_STATUSES:
        return users.filter(is_staff=True)
    if event.audience != Event.Audience.INVITATION:
        return users
    invited = Invitation.objects.filter(event=event, email__iexact=OuterRef("email"))
    registered = Registration.objects.filter(event=event, user=OuterRef("pk"))
    return users.filter(Q(is_staff=True) | Exists(invited) | Exists(registered))


def _registration_count(*statuses: str) -> Coalesce:
    """How many of the event's registrations have one of `statuses`: a subquery per event row,
    so a page of 20 events counts 20 events' registrations (on the (event, status) index), and
    counting the list for its paginator counts no registrations at all."""
    counted = (
        Registration.objects.filter(event=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


def _offers_open(**filters) -> Coalesce:
    """How many places of the event are kept for people waiting who have been offered one."""
    offered = (
        Registration.objects.filter(
            event=OuterRef("pk"),
            status=Registration.Status.WAITLISTED,
            offer_expires_at__isnull=False,
            **filters,
        )
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(offered), 0)


def _online_places_taken() -> Coalesce:
    """For a hybrid session: the places taken (or kept for an offer) online."""
    online = Registration.Mode.ONLINE
    taken = (
        Registration.objects.filter(event=OuterRef("pk"), status__in=HOLDS_PLACE, mode=online)
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(taken), 0) + _offers_open(mode=online)


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        online_places_taken=_online_places_taken(),
        places_taken=_registration_count(*HOLDS_PLACE) + _offers_open(),
        waiting_count=_registration_count(Registration.Status.WAITLISTED),
    )


def event_list_for_user(
    *,
    user,
    past: bool = False,
    network: Network | None = None,
    kind: str = "",
    programme: str = "",
) -> QuerySet[Event]:
    """Upcoming events soonest first, or past ones latest first, with counts and, for a signed-in
    person, their own registration status as `my_status`."""
    now = timezone.now()
    events = _with_counts(events_visible_to(user=user)).select_related("network")
    if past:
        events = events.filter(end__lt=now).order_by("-start", "-id")
    else:
        events = events.filter(end__gte=now).order_by("start", "id")
    if network is not None:
        events = events.filter(network=network)
    if kind:
        events = events.filter(kind=kind)
    if programme:
        events = events.filter(programme=programme)
    if user.is_authenticated:
        mine = Registration.objects.filter(event=OuterRef("pk"), user=user).order_by().values("status")[:1]
        events = events.annotate(my_status=Subquery(mine))
    return events


EVENTS_PER_PAGE = 20


def event_filter_choices(*, user) -> dict:
    """The networks and programmes that have events this person may see (events_visible_to), for
    the list's filters: two queries."""
    visible = events_visible_to(user=user)
    networks = (
        Network.objects.filter(Exists(visible.filter(network=OuterRef("pk"))))
        .only("id", "slug", "name")
        .order_by("name")
    )
    programmes = visible.exclude(programme="").order_by("programme").values_list("programme", flat=True)
    return {"networks": list(networks), "programmes": list(programmes.distinct())}


def public_sessions_upcoming(*, limit: int = 3) -> list[Event]:
    """The next sessions open to everyone (Audience.PUBLIC) that anyone may see
    (events_visible_to), soonest first: what the events list offers a signed-out visitor first.
    One query."""
    events = events_visible_to(user=AnonymousUser()).filter(
        audience=Event.Audience.PUBLIC, status=Event.Status.PUBLISHED, end__gte=timezone.now()
    )
    return list(events.select_related("network").defer("description").order_by("start", "id")[:limit])


def event_list_page_for_user(
    *,
    user,
    page_number,
    past: bool = False,
    network: Network | None = None,
    kind: str = "",
    programme: str = "",
) -> Page:
    """One page (EVENTS_PER_PAGE) of event_list_for_user: two queries, one counting the listing
    and one reading its page with each event's counts and this person's status."""
    events = event_list_for_user(user=user, past=past, network=network, kind=kind, programme=programme)
    return Paginator(events, EVENTS_PER_PAGE).get_page(page_number)


def event_get_for_user(*, user, slug: str) -> Event:
    """The event with its counts, network and speakers; 404 if this person may not see it."""
    speakers = Speaker.objects.order_by("position", "id")
    events = (
        _with_counts(events_visible_to(user=user))
        .select_related("network")
        .prefetch_related(Prefetch("speakers", queryset=speakers))
    )
    return get_object_or_404(events, slug=slug)


def event_get_to_register(*, user, slug: str) -> Event:
    """The event and its network, without counts or speakers (a registration is decided under
    the event's lock, which counts afresh); 404 if this person may not see it."""
    return get_object_or_404(events_visible_to(user=user).select_related("network"), slug=slug)


def event_questions(*, event: Event) -> list[Question]:
    return list(event.questions.order_by("position", "id"))


def places_left(event: Event) -> int | None:
    """Free places on an event from `event_get_for_user`/`event_list_for_user`; None if unlimited.
    For a hybrid session: in the room and online together (None if either has no limit)."""
    if event.is_hybrid:
        left = places_left_by_mode(event)
        if None in left.values():
            return None
        return sum(left.values())
    if event.capacity is None:
        return None
    return max(event.capacity - event.places_taken, 0)


def places_left_by_mode(event: Event) -> dict[str, int | None]:
    """For a hybrid session with its counts: the free places in person and online (None: no
    limit)."""
    online_taken = event.online_places_taken
    in_person_taken = event.places_taken - online_taken
    return {
        Registration.Mode.IN_PERSON: None
        if event.capacity is None
        else max(event.capacity - in_person_taken, 0),
        Registration.Mode.ONLINE: None
        if event.online_capacity is None
        else max(event.online_capacity - online_taken, 0),
    }


def registration_statuses_for_user(*, user) -> dict[int, str]:
    """The status of each of this person's registrations, by event id."""
    if not user.is_authenticated:
        return {}
    return dict(Registration.objects.filter(user=user).order_by().values_list("event_id", "status"))


def registration_for_user(*, event: Event, user) -> Registration | None:
    """This person's own registration for the event (any status), or None."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def active_registration_for_user(*, user, slug: str) -> Registration:
    """A person's confirmed or waiting registration for an event they can see, else 404."""
    event = event_get_for_user(user=user, slug=slug)
    registration = registration_for_user(event=event, user=user)
    if registration is None or registration.status not in (
        Registration.Status.CONFIRMED,
        Registration.Status.WAITLISTED,
    ):
        raise Http404("You are not registered for this event")
    registration.event = event
    return registration


def waitlist_rank(registration: Registration) -> int | None:
    """Where this person is in the queue (for their way of attending a hybrid session): 1 is
    next to get a place."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        mode=registration.mode,
        status=Registration.Status.WAITLISTED,
        waitlist_position__lt=registration.waitlist_position,
    ).count()
    return ahead + 1


@dataclass(frozen=True)
class WhoIsComing:
    names: list[str]
    others: int


def event_who_is_coming(*, event: Event, user, registration: Registration | None) -> WhoIsComing | None:
    """Who has a place, for the people with a place and for staff: the names of those who chose
    to show theirs (User.show_name_to_attendees) and how many others. None for anyone else, and
    for a cancelled event. One query (`event` comes from event_get_for_user, with its counts)."""
    if not user.is_authenticated or event.status == Event.Status.CANCELLED:
        return None
    if not (user.is_staff or (registration is not None and registration.holds_place)):
        return None
    names = list(
        Registration.objects.filter(
            event=event,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.ATTENDED],
            user__show_name_to_attendees=True,
            user__is_active=True,
        )
        .order_by("user__full_name", "user_id")
        .values_list("user__full_name", flat=True)
    )
    return WhoIsComing(names=names, others=max(event.places_taken - len(names), 0))


def can_see_online_link(*, event: Event, user, registration: Registration | None) -> bool:
    if not event.online_url or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return registration is not None and registration.holds_place and event.status != Event.Status.CANCELLED


def registration_refusal_reason(*, event: Event, user: User, now=None) -> str | None:
    """Why this person may not register now, in words to show them; None if they may.

    Does not look at their own registration: a person already registered is not refused.
    """
    return _window_refusal(event=event, now=now or timezone.now()) or _audience_refusal(
        event=event, user=user
    )


def guest_refusal_reason(*, event: Event, now=None) -> str | None:
    """Why someone without an account may not register now, in words to show them; None if they
    may. Only public sessions take guests; the rest say how to take part."""
    if not event.is_public:
        if event.audience == Event.Audience.BOROUGH_STAFF:
            return (
                "This session is for London borough staff only. Sign in with your work account to register."
            )
        if event.audience == Event.Audience.NETWORK_MEMBERS:
            return "This session is for members of the network only. Sign in to register."
        if event.audience == Event.Audience.INVITATION:
            return "This session is by invitation only."
        return (
            "This session is for people with an account on the portal. Sign in or create an "
            "account to register."
        )
    return _window_refusal(event=event, now=now or timezone.now())


def _window_refusal(*, event: Event, now) -> str | None:
    if event.status == Event.Status.CANCELLED:
        return "This event has been cancelled, so you cannot register."
    if event.status != Event.Status.PUBLISHED:
        return "This event is not open for registration yet."
    if event.registration_opens and now < event.registration_opens:
        return f"Registration opens on {format_datetime(event.registration_opens)}."
    if now >= event.closes_at:
        if now >= event.start:
            return "This event has already started, so registration has closed."
        return f"Registration closed on {format_datetime(event.closes_at)}."
    return None


def _audience_refusal(*, event: Event, user: User) -> str | None:
    audience = event.audience
    if audience == Event.Audience.BOROUGH_STAFF:
        if person_is_borough_member(user):
            return None
        organisation = person_organisation(user)
        if organisation is None and person_awaits_organisation_review(user):
            return (
                "This event is for London borough staff only. The networks team is checking that you "
                f"work for {user.requested_organisation_name}: you can register once they have linked "
                "your account."
            )
        if organisation is None:
            return (
                "This event is for London borough staff only. Your account is not linked to a "
                "borough, so you cannot register."
            )
        kind = organisation.get_kind_display().lower()
        article = "an" if kind[0] in "aeiou" else "a"
        return (
            f"This event is for London borough staff only. Your account is linked to "
            f"{organisation.name}, {article} {kind}, so you cannot register."
        )
    elif audience == Event.Audience.NETWORK_MEMBERS:
        is_member = Membership.objects.filter(
            network_id=event.network_id, user=user, status=Membership.Status.ACTIVE
        ).exists()
        if not is_member:
            name = event.network.name if event.network_id else "the network"
            return f"This event is for members of {name} only. Join the network to register."
    elif (
        audience == Event.Audience.INVITATION
        and not Invitation.objects.filter(event=event, email__iexact=user.email).exists()
    ):
        return "This event is by invitation only, and you have not been invited."
    return None


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
    ahead = (
        Registration.objects.filter(
            event=OuterRef("event"),
            mode=OuterRef("mode"),
            status=Registration.Status.WAITLISTED,
            waitlist_position__lt=OuterRef("waitlist_position"),
        )
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Registration.objects.filter(user=user)
        .filter(
            Q(event__end__gte=now, status__in=_UPCOMING_STATUSES)
            | Q(event__end__lt=now, status__in=HOLDS_PLACE)
        )
        .select_related("event")
        .defer("answers", "event__description")
        .annotate(waitlist_rank=Coalesce(Subquery(ahead), 0) + 1)
        .order_by("event__start", "event__id")
    )


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
    )


def calendar_feed_entries(*, user) -> list[CalendarEntry]:
    """The entries of the person's feed (see _feed_rows), soonest first."""
    registrations, meetings = _feed_rows(user=user)
    entries = {
        registration.event_id: CalendarEntry(
            event=registration.event,
            sequence=attendee_sequence(registration),
            show_online_link=registration.holds_place,
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


def event_attendee_rows(*, events: QuerySet[Event]) -> tuple[list[str], list[list]]:
    """The attendee list of one or more events: a header and one row per registration that is
    not cancelled, with one column per question (questions with the same wording share one)."""
    events = list(events.order_by("start", "id").prefetch_related("questions"))
    question_columns: list[str] = []
    for event in events:
        for question in event.questions.all():
            if question.text not in question_columns:
                question_columns.append(question.text)
    header = [
        "Event",
        "Starts",
        "Name",
        "Email",
        "Organisation",
        "Organisation type",
        "Job title",
        "Status",
        "Waiting list position",
        "Registered at",
        "Guest",
        "Access needs",
        *question_columns,
    ]
    registrations = (
        Registration.objects.filter(event__in=events)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("user", "user__organisation")
        .order_by("event__start", "event_id", "status", "waitlist_position", "created_at", "id")
    )
    by_event = {event.pk: event for event in events}
    rows = []
    for registration in registrations:
        event = by_event[registration.event_id]
        user = registration.user
        organisation = user.organisation if user else None
        answers = {
            question.text: question.display_answer(registration.answers.get(str(question.pk)))
            for question in event.questions.all()
        }
        rows.append(
            [
                event.title,
                format_datetime(event.start),
                user.full_name if user else (registration.guest_name or "Deleted account"),
                user.email if user else registration.guest_email,
                organisation.name if organisation else (user.requested_organisation_name if user else ""),
                organisation.get_kind_display() if organisation else "",
                user.job_title if user else "",
                registration.get_status_display(),
                registration.waitlist_position or "",
                format_datetime(registration.created_at),
                "Yes" if registration.is_guest else "No",
                registration.access_needs,
                *[answers.get(text, "") for text in question_columns],
            ]
        )
    return header, rows


def answers_for_display(*, registration: Registration, questions: list[Question]) -> list[tuple[str, str]]:
    """(question, answer) pairs for a person's own registration."""
    return [
        (question.text, question.display_answer(registration.answers.get(str(question.pk))) or "Not answered")
        for question in questions
    ]


class GuestLinkGone(Exception):
    """A guest's link that was real but no longer works: expired, or the registration is over or
    its details deleted. The message says which, to show with status 410."""


def guest_registration_for_token(*, slug: str, token: str, now=None) -> Registration:
    """The guest registration a "your registration" link names.

    Raises Http404 for a tampered link or one for another event, GuestLinkGone once the session
    has ended or the guest's details are gone (deleted, or moved to an account)."""
    from django.core import signing

    from .guest_links import registration_token_read

    try:
        registration_id, email = registration_token_read(token)
    except signing.BadSignature:
        raise Http404("This link is not valid") from None
    registration = (
        Registration.objects.select_related("event").filter(pk=registration_id, event__slug=slug).first()
    )
    if registration is None:
        if Event.objects.filter(slug=slug).exists():
            raise GuestLinkGone("This registration no longer exists: its details have been deleted.")
        raise Http404("This link is not valid")
    if registration.user_id is not None:
        raise GuestLinkGone(
            "This registration now belongs to an account. Sign in and find it in “Your events”."
        )
    if registration.guest_email.lower() != email:
        raise GuestLinkGone("This registration no longer exists: its details have been deleted.")
    if (now or timezone.now()) >= registration.event.end:
        raise GuestLinkGone("This session has ended, so this link no longer works.")
    return registration


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
        .filter(_invited(user))
        .exclude(_registered(user))
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
