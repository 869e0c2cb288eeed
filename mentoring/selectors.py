"""Permission-checked reads for mentoring pages; each a fixed number of queries whatever the size.

Who sees what: a programme's page is for active members of its network (and staff); profiles are
for the programme's participants (a complete profile) and staff; a pairing and its check-in notes
are for its two people only. Anyone else gets a 404, so a URL does not even say what exists.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from loti_portal import sql
from loti_portal.sql import table
from networks.models import Network
from networks.standing import is_active_member as network_member

from .matching import match_score
from .models import (
    FEEDBACK_MIN_ANSWERS,
    CheckIn,
    CircleMeeting,
    CircleMembership,
    CirclePlacementRequest,
    FitAnswer,
    MentoringProfile,
    MentoringProgramme,
    MentoringRequest,
    Pairing,
    PairingFeedback,
    PeerCircle,
)


def is_active_member(*, user: User, network: Network) -> bool:
    """networks.standing.is_active_member, for a network in hand."""
    return network_member(user=user, network_id=network.pk)


def programme_get_for_user(*, user: User, slug: str) -> MentoringProgramme:
    """The programme, for an active member of its network or staff. Raises Http404."""
    programme = (
        MentoringProgramme.objects.select_related("network")
        .filter(slug=slug, network__status=Network.Status.ACTIVE)
        .first()
    )
    if programme is None or not user.is_authenticated:
        raise Http404("No such programme")
    if not user.is_staff and not is_active_member(user=user, network=programme.network):
        raise Http404("No such programme")
    return programme


def profile_for_user(*, user: User, programme: MentoringProgramme) -> MentoringProfile | None:
    """The person's own profile in the programme (complete or not), with its focus areas."""
    return (
        MentoringProfile.objects.filter(programme=programme, user=user, withdrawn_at__isnull=True)
        .prefetch_related("focus_areas")
        .first()
    )


def _participant(*, user: User, programme: MentoringProgramme) -> bool:
    profile = profile_for_user(user=user, programme=programme)
    return profile is not None and profile.is_complete


def _listed_profiles(programme: MentoringProgramme) -> QuerySet[MentoringProfile]:
    """Complete, not withdrawn profiles, with what their cards show."""
    return (
        MentoringProfile.objects.filter(
            programme=programme,
            withdrawn_at__isnull=True,
            goals_saved_at__isnull=False,
            code_of_conduct_accepted_at__isnull=False,
        )
        .select_related("user__organisation")
        .prefetch_related("focus_areas")
        .order_by("user__full_name", "pk")
    )


def profile_get_for_user(*, user: User, programme: MentoringProgramme, profile_id: int) -> MentoringProfile:
    """A participant's profile, for the programme's participants and staff. Raises Http404."""
    if not user.is_staff and not _participant(user=user, programme=programme):
        raise Http404("No such profile")
    profile = _listed_profiles(programme).filter(pk=profile_id).first()
    if profile is None:
        raise Http404("No such profile")
    return profile


def mentor_places_taken(*, programme: MentoringProgramme) -> dict[int, int]:
    """Pairings that hold a mentor's place (proposed, accepted, active), by mentor's user id."""
    return dict(
        Pairing.objects.filter(programme=programme, state__in=Pairing.OPEN_STATES)
        .order_by()
        .values("mentor")
        .annotate(count=Count("pk"))
        .values_list("mentor", "count")
    )


def mentor_capacity(*, profile: MentoringProfile, programme: MentoringProgramme) -> int:
    return min(profile.capacity, programme.max_mentees_per_mentor)


@dataclass
class Candidate:
    mentor: MentoringProfile
    score: int
    places_left: int


def _candidates(
    *, mentee: MentoringProfile, mentors: list[MentoringProfile], taken: dict[int, int], programme
) -> list[Candidate]:
    mentee_areas = {area.pk for area in mentee.focus_areas.all()}
    candidates = []
    for mentor in mentors:
        places_left = mentor_capacity(profile=mentor, programme=programme) - taken.get(mentor.user_id, 0)
        if places_left <= 0:
            continue
        score = match_score(
            mentee=mentee,
            mentor=mentor,
            mentee_areas=mentee_areas,
            mentor_areas={area.pk for area in mentor.focus_areas.all()},
        )
        if score is not None:
            candidates.append(Candidate(mentor=mentor, score=score, places_left=places_left))
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.mentor.user.full_name))
    return candidates


def mentors_for_mentee(*, programme: MentoringProgramme, mentee: MentoringProfile) -> list[Candidate]:
    """Mentors with a free place the mentee could ask, best match first."""
    profiles = list(_listed_profiles(programme).filter(role__in=["mentor", "both"]))
    return _candidates(
        mentee=mentee, mentors=profiles, taken=mentor_places_taken(programme=programme), programme=programme
    )


@dataclass
class ShortlistRow:
    mentee: MentoringProfile
    candidates: list[Candidate]


def shortlist(*, programme: MentoringProgramme, per_mentee: int = 3) -> list[ShortlistRow]:
    """For each mentee with no open pairing or waiting request, their best mentors (for staff)."""
    profiles = list(_listed_profiles(programme))
    paired = set(
        Pairing.objects.filter(programme=programme, state__in=Pairing.OPEN_STATES).values_list(
            "mentee", flat=True
        )
    ) | set(
        MentoringRequest.objects.filter(
            programme=programme, state=MentoringRequest.State.WAITING
        ).values_list("mentee", flat=True)
    )
    mentors = [profile for profile in profiles if profile.is_mentor]
    taken = mentor_places_taken(programme=programme)
    return [
        ShortlistRow(
            mentee=profile,
            candidates=_candidates(mentee=profile, mentors=mentors, taken=taken, programme=programme)[
                :per_mentee
            ],
        )
        for profile in profiles
        if profile.is_mentee and profile.user_id not in paired
    ]


def pairing_get_for_user(*, user: User, pairing_id: int) -> Pairing:
    """A pairing, for its mentor or mentee only (not even staff: the notes are private). Raises Http404."""
    if not user.is_authenticated:
        raise Http404("No such pairing")
    pairing = (
        Pairing.objects.select_related("programme__network", "mentor__organisation", "mentee__organisation")
        .filter(Q(mentor=user) | Q(mentee=user), pk=pairing_id)
        .prefetch_related(
            Prefetch("check_ins", queryset=CheckIn.objects.select_related("logged_by")),
            Prefetch("fit_answers", queryset=FitAnswer.objects.filter(user=user), to_attr="my_fit_answers"),
            Prefetch("feedback", queryset=PairingFeedback.objects.filter(user=user), to_attr="my_feedback"),
        )
        .first()
    )
    if pairing is None:
        raise Http404("No such pairing")
    return pairing


def pairings_for_user(*, user: User) -> list[Pairing]:
    """The person's pairings as mentor or mentee, open ones first, with their last check-in date."""
    order = {Pairing.State.PROPOSED: 0, Pairing.State.ACCEPTED: 1, Pairing.State.ACTIVE: 1}
    pairings = list(
        Pairing.objects.filter(Q(mentor=user) | Q(mentee=user))
        .exclude(state=Pairing.State.DECLINED, mentee=user, request__isnull=False)
        .select_related("programme__network", "mentor", "mentee")
        .annotate(last_met_on=Max("check_ins__met_on"))
    )
    return sorted(
        pairings, key=lambda pairing: (order.get(pairing.state, 2), -pairing.proposed_at.timestamp())
    )


def profiles_for_user(*, user: User) -> list[MentoringProfile]:
    return list(
        MentoringProfile.objects.filter(user=user, withdrawn_at__isnull=True).select_related(
            "programme__network"
        )
    )


def waiting_requests_for_user(*, user: User) -> list[MentoringRequest]:
    return list(
        MentoringRequest.objects.filter(mentee=user, state=MentoringRequest.State.WAITING).select_related(
            "programme"
        )
    )


def waiting_request_get_for_user(*, user: User, request_id: int) -> MentoringRequest:
    """The person's own waiting request. Raises Http404 for anyone else's, or one answered."""
    request = MentoringRequest.objects.filter(
        pk=request_id, mentee=user, state=MentoringRequest.State.WAITING
    ).first()
    if request is None:
        raise Http404("No such request")
    return request


def mentor_names(*, ids: list[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "full_name"))


@dataclass
class FeedbackSummary:
    answers: int
    shown: bool  # False below FEEDBACK_MIN_ANSWERS: too few to keep each answer anonymous
    usefulness: list[tuple[str, int]]
    average_usefulness: float | None
    would_recommend: int
    comments: list[str]


def feedback_summary(*, programme: MentoringProgramme) -> FeedbackSummary:
    """The programme's feedback in aggregate (for staff), or only its count when there are fewer
    than FEEDBACK_MIN_ANSWERS answers. Comments come in alphabetical order, never with names."""
    answers = PairingFeedback.objects.filter(pairing__programme=programme)
    totals = answers.aggregate(
        answers=Count("pk"), average=Avg("usefulness"), recommend=Count("pk", filter=Q(would_recommend=True))
    )
    if totals["answers"] < FEEDBACK_MIN_ANSWERS:
        return FeedbackSummary(totals["answers"], False, [], None, 0, [])
    counts = dict(
        answers.order_by().values("usefulness").annotate(n=Count("pk")).values_list("usefulness", "n")
    )
    return FeedbackSummary(
        answers=totals["answers"],
        shown=True,
        usefulness=[(label, counts.get(value, 0)) for value, label in PairingFeedback.Usefulness.choices],
        average_usefulness=round(totals["average"], 1),
        would_recommend=totals["recommend"],
        comments=sorted(answers.exclude(comments="").values_list("comments", flat=True)),
    )


# --- peer-support circles ----------------------------------------------------------------------

UPCOMING_CIRCLE_MEETINGS = 6


CIRCLE_CALENDAR_HISTORY = timedelta(days=90)


def _current_circle_member(user: User) -> Exists:
    return Exists(CircleMembership.objects.filter(circle=OuterRef("pk"), user=user, left_at__isnull=True))


def circles_visible_to(*, user: User) -> QuerySet[PeerCircle]:
    """The one rule for who may see a circle, its members and its meetings (its page, its calendar
    file, a person's calendar feed): its current members, and staff. Only circles of active
    networks; nobody else sees that a circle exists."""
    if not user.is_authenticated or not user.is_active:
        return PeerCircle.objects.none()
    circles = PeerCircle.objects.filter(network__status=Network.Status.ACTIVE)
    if user.is_staff:
        return circles
    return circles.filter(_current_circle_member(user))


def circle_get_for_user(*, user: User, slug: str) -> PeerCircle:
    """A circle, for those who may see it (circles_visible_to); 404 for anyone else. With
    `members` (current, by name) and `upcoming` (next meetings)."""
    circle = circles_visible_to(user=user).select_related("network").filter(slug=slug).first()
    if circle is None:
        raise Http404("No such circle")
    circle.members = list(
        CircleMembership.objects.filter(circle=circle, left_at__isnull=True)
        .select_related("user__organisation")
        .order_by("user__full_name")
    )
    circle.upcoming = list(circle.meetings.filter(start__gte=timezone.now())[:UPCOMING_CIRCLE_MEETINGS])
    return circle


def circle_meetings_for_calendar(*, circle: PeerCircle) -> list[CircleMeeting]:
    return list(circle.meetings.filter(end__gte=timezone.now() - CIRCLE_CALENDAR_HISTORY))


def circle_meetings_in_feed(*, user: User) -> QuerySet[CircleMeeting]:
    """What a person's own calendar feed shows of circles: the meetings of the circles they belong
    to, among those they may see (so staff get their own circles, not everyone's), from
    CIRCLE_CALENDAR_HISTORY ago on, soonest first."""
    mine = circles_visible_to(user=user).filter(_current_circle_member(user))
    return (
        CircleMeeting.objects.filter(circle__in=mine, end__gte=timezone.now() - CIRCLE_CALENDAR_HISTORY)
        .select_related("circle__network")
        .order_by("start", "pk")
    )


def circles_for_user(*, user: User) -> list[CircleMembership]:
    """The person's current circles, by name, with each circle's next meeting."""
    if not user.is_authenticated:
        return []
    return list(
        CircleMembership.objects.filter(user=user, left_at__isnull=True)
        .select_related("circle__network")
        .annotate(
            next_meeting=Subquery(
                CircleMeeting.objects.filter(circle=OuterRef("circle"), start__gte=timezone.now())
                .order_by("start")
                .values("start")[:1]
            )
        )
        .order_by("circle__name")
    )


def network_mentoring(*, network: Network, user: User, is_member: bool) -> dict:
    """What a network's page shows of its mentoring to its active members (`is_member`, as the
    caller read it) and staff; nobody else sees any of it:

    - programmes: the network's programmes (name, slug, is_open), the latest first;
    - circles: its peer-support circles (name, slug, size, and mine: whether the person is in it),
      whether they have asked to be placed in one (waiting) and whether they may ask (can_ask).

    One query, none for anyone else."""
    if not user.is_authenticated or not (is_member or user.is_staff):
        return {"programmes": [], "circles": {"circles": [], "waiting": False, "can_ask": False}}
    current = f"FROM {table(CircleMembership)} cm WHERE cm.circle_id = c.id AND cm.left_at IS NULL"
    # Three parts in one: the programmes, the circles, and the person's open placement requests
    # (counted).
    found = sql.rows(
        "SELECT 0 AS part, name, slug, CASE WHEN is_open THEN 1 ELSE 0 END, 0, 0, starts_on AS sort_date"  # noqa: S608
        f" FROM {table(MentoringProgramme)} WHERE network_id = %s"
        " UNION ALL"
        f" SELECT 1, c.name, c.slug, 0, (SELECT COUNT(*) {current}),"
        f" (SELECT COUNT(*) {current} AND cm.user_id = %s), NULL"
        f" FROM {table(PeerCircle)} c WHERE c.network_id = %s"
        " UNION ALL"
        f" SELECT 2, '', '', 0, COUNT(*), 0, NULL FROM {table(CirclePlacementRequest)}"
        " WHERE network_id = %s AND user_id = %s AND closed_at IS NULL"
        " ORDER BY part, sort_date DESC, name",
        [network.pk, user.pk, network.pk, network.pk, user.pk],
    )
    programmes, circles, open_requests = [], [], 0
    for part, name, slug, is_open, size, mine, _sort_date in found:
        if part == 0:
            programmes.append({"name": name, "slug": slug, "is_open": bool(is_open)})
        elif part == 1:
            circles.append({"name": name, "slug": slug, "size": size, "mine": mine})
        else:
            open_requests = size
    can_ask = is_member and not any(circle["mine"] for circle in circles)
    # The request shows only within the circles' section, drawn when there are circles or can_ask.
    waiting = bool(circles or can_ask) and open_requests > 0
    return {"programmes": programmes, "circles": {"circles": circles, "waiting": waiting, "can_ask": can_ask}}
