"""Reads about what comes after a session, each checked against the requesting person.

Who may see a session's materials is one rule, `materials_visible_to`: the event page, the
download, the staff pages and the emails all ask it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from events.formatting import in_london
from events.models import Event, Registration
from events.selectors import event_visible_to
from networks.models import Network
from networks.standing import is_active_member

from .links import guest_token_read
from .models import FeedbackResponse, Material

# The feedback form stays open this long after the session ends; answers can be changed until then.
FEEDBACK_OPEN_DAYS = 14
# The request goes the day after the session, from this hour (London time), and not for a
# session that ended more than FEEDBACK_REQUEST_WITHIN_DAYS ago (late check-ins still get one).
FEEDBACK_REQUEST_FROM_HOUR = 9
FEEDBACK_REQUEST_WITHIN_DAYS = 5
# A network lead sees a session's figures only once at least this many people answered, so no
# answer can be traced to a person.
LEAD_MINIMUM_ANSWERS = 3


# --- materials ------------------------------------------------------------------------------


def materials_visible_to(*, user, event: Event, registration: Registration | None = None) -> bool:
    """May this person see the event's materials: staff; and, of those who may see the event
    (events.selectors.event_visible_to), people who had a place at it (attended or not) and
    active members of its network. A guest is known by `registration` (from their signed link);
    for a signed-in person it is looked up. A draft or cancelled session shares nothing.

    At most two queries (the registration and the membership)."""
    if user.is_authenticated and user.is_staff:
        return True
    if event.status != Event.Status.PUBLISHED or not event_visible_to(user=user, event=event):
        return False
    if registration is None and user.is_authenticated:
        registration = Registration.objects.filter(event=event, user=user).only("status", "event_id").first()
    if (
        registration is not None
        and registration.event_id == event.pk
        and registration.holds_place
        and (registration.user_id is None or (user.is_authenticated and registration.user_id == user.pk))
    ):
        return True
    return is_active_member(user=user, network_id=event.network_id)


def event_materials(*, event: Event) -> list[Material]:
    """The event's materials in the order they were added (one query). Check
    materials_visible_to before showing them."""
    return list(Material.objects.filter(event=event).order_by("created_at", "id"))


def materials_need_accessible_version(materials: list[Material]) -> bool:
    """True when a PDF is shared and nothing is marked as an accessible version: a PDF of slides
    is rarely usable with a screen reader."""
    return any(material.is_pdf for material in materials) and not any(
        material.accessible for material in materials
    )


def material_get_for_user(
    *, user, slug: str, material_id: int, registration: Registration | None = None
) -> Material:
    """A file material of the event named by `slug`, for someone who may see the event's
    materials; Http404 for anyone else (the page does not say whether it exists)."""
    material = get_object_or_404(
        Material.objects.select_related("event").exclude(file=""), pk=material_id, event__slug=slug
    )
    if not materials_visible_to(user=user, event=material.event, registration=registration):
        raise Http404("No such file")
    return material


# --- feedback: who answers, and when ----------------------------------------------------------


def feedback_closes_at(event: Event) -> datetime:
    return event.end + timedelta(days=FEEDBACK_OPEN_DAYS)


def feedback_is_open(event: Event, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return event.status == Event.Status.PUBLISHED and event.end <= now < feedback_closes_at(event)


def feedback_may_answer(registration: Registration) -> bool:
    """Only people who attended (checked in, or joined online) answer the form."""
    return registration.status == Registration.Status.ATTENDED


class FeedbackNotOpen(Exception):
    """The person may not answer (now): the message says why, to show them."""


def _check_may_answer(registration: Registration, now=None) -> None:
    event = registration.event
    now = now or timezone.now()
    if not feedback_may_answer(registration):
        raise FeedbackNotOpen("Feedback is asked of the people who came to the session.")
    if event.status != Event.Status.PUBLISHED:
        raise FeedbackNotOpen("This session was not held, so there is no feedback to give.")
    if now < event.end:
        raise FeedbackNotOpen("You can give feedback once the session has ended.")
    if now >= feedback_closes_at(event):
        raise FeedbackNotOpen("Feedback on this session has closed.")


def feedback_registration_for_user(*, user, slug: str, now=None) -> Registration:
    """The signed-in person's registration for the session named by `slug`, to answer its form.
    Http404 if they may not see the event or never registered; FeedbackNotOpen (with the reason)
    if they did not attend or the form is not open."""
    registration = (
        Registration.objects.select_related("event", "event__network", "feedback_response")
        .filter(event__slug=slug, user=user)
        .first()
    )
    if registration is None or not event_visible_to(user=user, event=registration.event):
        raise Http404("No such session")
    _check_may_answer(registration, now)
    return registration


def guest_registration_for_link(*, slug: str, token: str) -> Registration:
    """The guest registration a signed link names (feedback form and materials). Http404 for a
    tampered link, one for another session, or a guest whose details are gone."""
    try:
        registration_id, email = guest_token_read(token)
    except signing.BadSignature:
        raise Http404("This link is not valid") from None
    registration = (
        Registration.objects.select_related("event", "event__network", "feedback_response")
        .filter(pk=registration_id, event__slug=slug, user__isnull=True)
        .first()
    )
    if registration is None or not registration.guest_email or registration.guest_email.lower() != email:
        raise Http404("This link is not valid")
    return registration


def feedback_registration_for_guest(*, slug: str, token: str, now=None) -> Registration:
    """guest_registration_for_link, to answer the form: FeedbackNotOpen as for members."""
    registration = guest_registration_for_link(slug=slug, token=token)
    _check_may_answer(registration, now)
    return registration


def existing_feedback(registration: Registration) -> FeedbackResponse | None:
    try:
        return registration.feedback_response
    except FeedbackResponse.DoesNotExist:
        return None


def feedback_due_event_ids(*, now: datetime | None = None) -> list[int]:
    """The sessions whose attendees are owed a feedback request now: published sessions that
    ended before today (London time) and at most FEEDBACK_REQUEST_WITHIN_DAYS ago, with someone
    who attended. Empty before FEEDBACK_REQUEST_FROM_HOUR, so the emails come in the morning."""
    now = now or timezone.now()
    local = in_london(now)
    if local.hour < FEEDBACK_REQUEST_FROM_HOUR:
        return []
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Event.objects.filter(
            status=Event.Status.PUBLISHED,
            end__lt=today,
            end__gte=now - timedelta(days=FEEDBACK_REQUEST_WITHIN_DAYS),
            registrations__status=Registration.Status.ATTENDED,
        )
        .distinct()
        .order_by("end", "id")
        .values_list("id", flat=True)
    )


def attendees_owed_feedback_request(*, event: Event) -> QuerySet[Registration]:
    """The event's attendees with someone to write to (an active account or a guest's address)."""
    return (
        Registration.objects.filter(event=event, status=Registration.Status.ATTENDED)
        .filter(Q(user__is_active=True) | (Q(user__isnull=True) & ~Q(guest_email="")))
        .select_related("user")
        .order_by("id")
    )


# --- feedback: results ----------------------------------------------------------------------


@dataclass
class FeedbackSummary:
    """The figures for one session (or several together)."""

    answers: int = 0
    attended: int = 0
    average: float | None = None
    # How many gave each rating, 1 to 5.
    by_rating: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    hidden: bool = False  # fewer than LEAD_MINIMUM_ANSWERS, for a lead: no figures shown

    @property
    def rows(self) -> list[tuple[int, str, int, int]]:
        """(rating, label, count, percent of answers) for a table."""
        labels = dict(FeedbackResponse.Rating.choices)
        return [
            (rating, labels[rating], count, round(100 * count / self.answers) if self.answers else 0)
            for rating, count in self.by_rating.items()
        ]


def _summaries(events: QuerySet[Event]) -> dict[int, FeedbackSummary]:
    """Each event's summary from two grouped queries, whatever the number of answers."""
    summaries = {pk: FeedbackSummary() for pk in events.values_list("pk", flat=True)}
    ratings = (
        FeedbackResponse.objects.filter(event__in=events)
        .order_by()
        .values("event_id", "rating")
        .annotate(count=Count("pk"))
    )
    for row in ratings:
        summary = summaries[row["event_id"]]
        summary.by_rating[row["rating"]] = row["count"]
        summary.answers += row["count"]
    attended = (
        Registration.objects.filter(event__in=events, status=Registration.Status.ATTENDED)
        .order_by()
        .values("event_id")
        .annotate(count=Count("pk"))
    )
    for row in attended:
        summaries[row["event_id"]].attended = row["count"]
    for summary in summaries.values():
        if summary.answers:
            total = sum(rating * count for rating, count in summary.by_rating.items())
            summary.average = round(total / summary.answers, 1)
    return summaries


def _hide_small(summary: FeedbackSummary) -> FeedbackSummary:
    if summary.answers < LEAD_MINIMUM_ANSWERS:
        return FeedbackSummary(attended=summary.attended, hidden=True)
    return summary


def feedback_summary_for_event(*, event: Event) -> FeedbackSummary:
    """Staff: the session's figures."""
    return _summaries(Event.objects.filter(pk=event.pk))[event.pk]


def feedback_comments_for_event(*, event: Event) -> list[FeedbackResponse]:
    """Staff: the written answers, without names, newest first (one query)."""
    return list(
        FeedbackResponse.objects.filter(event=event)
        .filter(~Q(what_worked="") | ~Q(what_to_improve=""))
        .only("rating", "what_worked", "what_to_improve", "updated_at")
        .order_by("-updated_at", "-id")
    )


@dataclass
class NetworkFeedback:
    network: Network
    sessions: list[tuple[Event, FeedbackSummary]]
    total: FeedbackSummary
    for_lead: bool


def network_feedback(*, network: Network, user) -> NetworkFeedback:
    """The figures for each of the network's past sessions that asked for feedback, and for all
    of them together. `network` comes from networks.manage.network_get_for_lead (staff or one of
    its leads). A lead sees only sessions with LEAD_MINIMUM_ANSWERS answers or more, and a total
    made of those alone, so nothing hidden can be worked out by subtraction. Three queries."""
    for_lead = not user.is_staff
    events = Event.objects.filter(
        network=network, status=Event.Status.PUBLISHED, end__lt=timezone.now()
    ).order_by("-start", "-id")
    if for_lead:
        events = events.filter(pk__in=_events_visible_to_lead(user=user))
    listed = list(events.only("pk", "title", "slug", "start", "end", "network_id"))
    summaries = _summaries(Event.objects.filter(pk__in=[event.pk for event in listed]))
    sessions = []
    total = FeedbackSummary()
    for event in listed:
        summary = summaries[event.pk]
        if for_lead:
            summary = _hide_small(summary)
        sessions.append((event, summary))
        if summary.hidden:
            continue
        total.answers += summary.answers
        for rating, count in summary.by_rating.items():
            total.by_rating[rating] += count
        total.attended += summary.attended
    if total.answers:
        total.average = round(sum(r * c for r, c in total.by_rating.items()) / total.answers, 1)
    return NetworkFeedback(network=network, sessions=sessions, total=total, for_lead=for_lead)


def _events_visible_to_lead(*, user) -> QuerySet[Event]:
    from events.selectors import events_visible_to

    return events_visible_to(user=user).values("pk")


def feedback_csv_for_event(*, event: Event) -> tuple[list[str], list[list]]:
    """Staff: one row per answer, without names (the answers are the staff's to read, not to
    tie to people)."""
    header = ["Session", "Session date", "Rating", "What worked", "What to improve", "Answered at"]
    rows = [
        [
            event.title,
            in_london(event.start).date().isoformat(),
            response.rating,
            response.what_worked,
            response.what_to_improve,
            in_london(response.updated_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for response in FeedbackResponse.objects.filter(event=event).order_by("created_at", "id")
    ]
    return header, rows


def network_feedback_csv(*, report: NetworkFeedback) -> tuple[list[str], list[list]]:
    """One row per session of the report, and the total; a lead's hidden sessions say so."""
    header = ["Session", "Session date", "Attended", "Answers", "Average rating", "1", "2", "3", "4", "5"]

    def row(title, date, summary):
        if summary.hidden:
            return [title, date, summary.attended, f"Fewer than {LEAD_MINIMUM_ANSWERS}", *[""] * 6]
        return [
            title,
            date,
            summary.attended,
            summary.answers,
            "" if summary.average is None else summary.average,
            *summary.by_rating.values(),
        ]

    rows = [row(event.title, in_london(event.start).date().isoformat(), s) for event, s in report.sessions]
    rows.append(row("All sessions shown", "", report.total))
    return header, rows
