"""Reads that decide who may see what. Every object taken from a URL comes through here."""

from dataclasses import dataclass

from django.core import signing
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import (
    person_awaits_organisation_review,
    person_is_borough_member,
    person_organisation,
)
from loti_portal import sql
from loti_portal.sql import columns, instances, rows, table
from networks.standing import is_active_member

from .formatting import format_datetime
from .guest_links import registration_token_read
from .models import Event, Question, Registration
from .queue import waiting_ahead
from .selectors_list import (  # noqa: F401
    EVENTS_PER_PAGE,
    EventCard,
    LiveCard,
    event_list_page_for_user,
    event_listing_summary,
    event_live_cards_by_id,
    public_sessions_upcoming,
)

# Split by concern; every name stays importable from here.
from .selectors_personal import (  # noqa: F401
    FEED_HISTORY,
    HOME_LIST_LENGTH,
    HomeSummary,
    calendar_feed_entries,
    calendar_feed_for_user,
    calendar_feed_owner,
    calendar_feed_version,
    home_summary_for_user,
    my_events_for_user,
    network_feed_entries,
)
from .visibility import (  # noqa: F401
    VISIBLE_STATUSES,
    event_visible_to,
    events_visible_to,
    is_invited,
    users_who_may_see,
    visible_condition,
)

HOLDS_PLACE = Registration.HOLDS_PLACE_STATUSES


def event_get_for_user(*, user, slug: str) -> Event:
    """The event with its counts and network; 404 if this person may not see it."""
    return get_object_or_404(events_visible_to(user=user).select_related("network"), slug=slug)


def event_get_to_register(*, user, slug: str) -> Event:
    """The event alone (a registration is decided under the event's lock, which counts afresh);
    404 if this person may not see it. One query with our own SQL: the event by its address, with
    the visibility rule (visible_condition) asked of that one row."""
    condition = visible_condition(user=user, alias="e")
    rule, params = ("", []) if condition is None else (f" AND {condition[0]}", condition[1])
    found = rows(
        f"SELECT {columns(Event, 'e')} FROM {table(Event)} e WHERE e.slug = %s{rule}",  # noqa: S608
        [slug, *params],
    )
    if not found:
        raise Http404("No event found")
    return instances(Event, found)[0]


def event_questions(*, event: Event) -> list[Question]:
    """The event's own questions, in their order (one query, with our own SQL)."""
    return instances(
        Question,
        rows(
            f"SELECT {columns(Question, 'q')} FROM {table(Question)} q"  # noqa: S608
            " WHERE q.event_id = %s ORDER BY q.position, q.id",
            [event.pk],
        ),
    )


def places_left(event: Event) -> int | None:
    """Free places on an event (from the counts on its row); None if unlimited.
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
    """For a hybrid session: the free places in person and online (None: no
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
    # At most one (unique per event and person). One query, with our own SQL: services ask it
    # under the event's lock too.
    found = rows(
        f"SELECT {columns(Registration, 'r')} FROM {table(Registration)} r"  # noqa: S608
        " WHERE r.event_id = %s AND r.user_id = %s",
        [event.pk, user.pk],
    )
    return instances(Registration, found)[0] if found else None


def active_registration_for_user(*, user, slug: str, to_change: bool = False) -> Registration:
    """A person's confirmed or waiting registration for an event they can see, else 404. With
    `to_change` (for a service that changes it under the event's lock) the event comes alone,
    as event_get_to_register gives it, rather than with its network and speakers to show."""
    event = (event_get_to_register if to_change else event_get_for_user)(user=user, slug=slug)
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
    ahead, params = waiting_ahead()
    return (
        sql.value(
            f"SELECT {ahead}",
            [*params, registration.event_id, registration.mode, registration.waitlist_position],
        )
        + 1
    )


@dataclass(frozen=True)
class WhoIsComing:
    names: list[str]
    # People coming (a place, or already checked in) who do not show their name.
    others: int
    # Places kept for people waiting who have been offered one: not (yet) anyone coming.
    offered: int = 0


def event_who_is_coming(*, event: Event, user, registration: Registration | None) -> WhoIsComing | None:
    """Who is coming, for the people with a place and for staff: the names of those who chose
    to show theirs (User.show_name_to_attendees), how many others, and, apart, how many places
    are kept for open offers (someone offered a place may not take it). None for anyone else, and
    for a cancelled event. Two queries, whatever the numbers."""
    if not user.is_authenticated or event.status == Event.Status.CANCELLED:
        return None
    if not (user.is_staff or (registration is not None and registration.holds_place)):
        return None
    # Our own SQL (loti_portal.sql): two small reads that cost more through the ORM than the page.
    coming = [Registration.Status.CONFIRMED, Registration.Status.ATTENDED]
    names = [
        name
        for (name,) in rows(
            f"SELECT u.full_name FROM {table(Registration)} r"  # noqa: S608
            f" JOIN {table(User)} u ON u.id = r.user_id"
            " WHERE r.event_id = %s AND r.status IN (%s, %s) AND u.show_name_to_attendees = %s"
            " AND u.is_active = %s ORDER BY u.full_name, r.user_id",
            [event.pk, *coming, True, True],
        )
    ]
    ((coming_count, offered),) = rows(
        "SELECT COALESCE(SUM(CASE WHEN status IN (%s, %s) THEN 1 ELSE 0 END), 0),"  # noqa: S608
        " COALESCE(SUM(CASE WHEN status = %s AND offer_expires_at IS NOT NULL THEN 1 ELSE 0 END), 0)"
        f" FROM {table(Registration)} WHERE event_id = %s",
        [*coming, Registration.Status.WAITLISTED, event.pk],
    )
    counts = {"coming": coming_count, "offered": offered}
    return WhoIsComing(names=names, others=max(counts["coming"] - len(names), 0), offered=counts["offered"])


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
        if not is_active_member(user=user, network_id=event.network_id):
            name = event.network.name if event.network_id else "the network"
            return f"This event is for members of {name} only. Join the network to register."
    elif audience == Event.Audience.INVITATION and not is_invited(user=user, event_id=event.pk):
        return "This event is by invitation only, and you have not been invited."
    return None


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


def guest_registration_for_certificate(*, slug: str, token: str) -> Registration | None:
    """The guest registration a "your registration" link names, for its certificate: unlike the
    page itself the link keeps working for this after the session ends (a certificate is needed
    afterwards), for as long as the guest's details are kept. None for a tampered link, another
    session's, or a registration whose details are gone."""
    try:
        registration_id, email = registration_token_read(token)
    except signing.BadSignature:
        return None
    registration = (
        Registration.objects.select_related("event__network")
        .filter(pk=registration_id, event__slug=slug, user__isnull=True)
        .first()
    )
    if registration is None or not registration.guest_email or registration.guest_email.lower() != email:
        return None
    return registration
