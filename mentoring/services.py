"""Every change to mentoring: one function per change of state.

Each runs in one transaction, leaves an audit entry and owes its emails through
mentoring_email_enqueue. A refusal raises ValidationError with a message to show as it is; nothing
is stored then. The periodic ones are safe to run twice, or on two workers: pairing_expire and
pairing_complete claim the change of state with a conditional UPDATE first; check_in_reminder_send
owes its emails under a dedup_key, which the outbox keeps once.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record

from .emails import mentoring_email_enqueue
from .models import (
    MAX_GOALS,
    MAX_MENTORS_ASKED,
    REQUEST_ANSWER_DAYS,
    CheckIn,
    FitAnswer,
    FocusArea,
    MentoringProfile,
    MentoringProgramme,
    MentoringRequest,
    Pairing,
    PairingFeedback,
)
from .selectors import is_active_member, mentor_capacity, mentor_places_taken

# --- programmes (staff, in admin) ---------------------------------------------------------------


@transaction.atomic
def programme_save(
    *, programme: MentoringProgramme, changed_fields: list[str], acting_user: User
) -> MentoringProgramme:
    """Create or update a programme as staff edited it, and audit which fields changed."""
    created = programme.pk is None
    programme.full_clean()
    programme.save()
    audit_record(
        actor=acting_user,
        action="mentoring.programme.created" if created else "mentoring.programme.updated",
        target=programme,
        data={"fields": sorted(changed_fields)},
    )
    return programme


# --- profiles (the sign-up task list) -----------------------------------------------------------


def _profile_editable(*, programme: MentoringProgramme, user: User) -> MentoringProfile | None:
    if not is_active_member(user=user, network=programme.network):
        raise ValidationError(f"Only members of {programme.network.name} can take part in its mentoring.")
    profile = MentoringProfile.objects.select_for_update().filter(programme=programme, user=user).first()
    if (profile is None or profile.withdrawn_at) and not programme.is_open:
        raise ValidationError(f"{programme.name} is not taking new participants at the moment.")
    return profile


@transaction.atomic
def profile_save_about(
    *,
    programme: MentoringProgramme,
    user: User,
    role: str,
    meeting_format: str,
    prefers_outside_organisation: bool,
    capacity: int,
    about: str,
    show_job_title: bool,
    show_organisation: bool,
) -> MentoringProfile:
    """The first task: role and preferences. Creates the profile. Only for active members."""
    profile = _profile_editable(programme=programme, user=user)
    if role not in MentoringProfile.Role.values:
        raise ValidationError("Choose whether you would like to be a mentor, a mentee or both.")
    if role != MentoringProfile.Role.MENTEE and not 1 <= capacity <= programme.max_mentees_per_mentor:
        raise ValidationError(
            f"A mentor in {programme.name} can take between 1 and {programme.max_mentees_per_mentor} mentees."
        )
    created = profile is None
    if created:
        profile = MentoringProfile(programme=programme, user=user)
    profile.role = role
    profile.meeting_format = meeting_format
    profile.prefers_outside_organisation = prefers_outside_organisation
    profile.capacity = capacity if role != MentoringProfile.Role.MENTEE else 0
    profile.about = about.strip()
    profile.show_job_title = show_job_title
    profile.show_organisation = show_organisation
    profile.withdrawn_at = None
    profile.save()
    audit_record(
        actor=user,
        action="mentoring.profile.created" if created else "mentoring.profile.updated",
        target=profile,
        data={"role": role},
    )
    return profile


@transaction.atomic
def profile_save_goals(
    *, profile: MentoringProfile, focus_areas: list[FocusArea], goals: list[str]
) -> MentoringProfile:
    """The second task: focus areas (from the programme's list) and up to three goals."""
    profile = _profile_editable(programme=profile.programme, user=profile.user)
    goals = [goal.strip() for goal in goals if goal.strip()]
    if not goals:
        raise ValidationError("Write at least one goal")
    if len(goals) > MAX_GOALS:
        raise ValidationError(f"Write at most {MAX_GOALS} goals")
    allowed = set(profile.programme.focus_areas.values_list("pk", flat=True))
    if not focus_areas or any(area.pk not in allowed for area in focus_areas):
        raise ValidationError("Choose at least one focus area from the list")
    profile.goals = goals
    profile.goals_saved_at = timezone.now()
    profile.save(update_fields=["goals", "goals_saved_at", "updated_at"])
    profile.focus_areas.set(focus_areas)
    audit_record(actor=profile.user, action="mentoring.profile.goals_saved", target=profile)
    return profile


@transaction.atomic
def profile_accept_code_of_conduct(*, profile: MentoringProfile) -> MentoringProfile:
    """The last task: accept the programme's code of conduct. Accepting twice keeps the first time."""
    profile = _profile_editable(programme=profile.programme, user=profile.user)
    if profile.code_of_conduct_accepted_at is None:
        profile.code_of_conduct_accepted_at = timezone.now()
        profile.save(update_fields=["code_of_conduct_accepted_at", "updated_at"])
        audit_record(actor=profile.user, action="mentoring.profile.code_of_conduct_accepted", target=profile)
    return profile


# --- making pairs -------------------------------------------------------------------------------


def _complete_profile(*, programme: MentoringProgramme, user_id: int) -> MentoringProfile | None:
    profile = (
        MentoringProfile.objects.select_related("user").filter(programme=programme, user_id=user_id).first()
    )
    return profile if profile is not None and profile.is_complete else None


def _lock_programme(programme: MentoringProgramme) -> None:
    """Serialise the decisions that use mentors' places, so two of them never give the same place."""
    list(MentoringProgramme.objects.select_for_update().filter(pk=programme.pk).values_list("pk", flat=True))


def _has_place(*, programme: MentoringProgramme, mentor: MentoringProfile) -> bool:
    """Whether the mentor has a free place (proposed pairings hold one too)."""
    taken = mentor_places_taken(programme=programme).get(mentor.user_id, 0)
    return taken < mentor_capacity(profile=mentor, programme=programme)


def _propose(
    *, programme: MentoringProgramme, mentor: User, mentee: User, acting_user: User | None, request=None
) -> Pairing:
    pairing = Pairing(
        programme=programme,
        mentor=mentor,
        mentee=mentee,
        cadence_days=programme.cadence_days,
        proposed_by=acting_user,
        request=request,
        answer_by=timezone.now() + timedelta(days=REQUEST_ANSWER_DAYS) if request else None,
    )
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as exc:
        raise ValidationError(
            f"{mentee.full_name} already has a mentor or a proposed one in {programme.name}."
        ) from exc
    audit_record(
        actor=acting_user,
        action="mentoring.pairing.proposed",
        target=pairing,
        data={"mentor": mentor.pk, "mentee": mentee.pk, "by_request": request is not None},
    )
    mentoring_email_enqueue(
        kind="mentoring.request_received" if request else "mentoring.pairing_proposed",
        user=mentor,
        about=pairing,
        context_ids={"pairing": pairing.pk, "other": mentee.pk},
        dedup_key=f"pairing:{pairing.pk}:proposed",
    )
    return pairing


@transaction.atomic
def pairings_confirm(
    *, programme: MentoringProgramme, pairs: list[tuple[int, int]], acting_user: User
) -> list[Pairing]:
    """Staff confirm (mentee id, mentor id) pairs in bulk: each becomes a proposed pairing that the
    mentor accepts or declines. All or nothing: one refusal stores none of them."""
    _lock_programme(programme)
    pairings = []
    for mentee_id, mentor_id in pairs:
        mentee = _complete_profile(programme=programme, user_id=mentee_id)
        mentor = _complete_profile(programme=programme, user_id=mentor_id)
        if mentee is None or not mentee.is_mentee:
            raise ValidationError("Each mentee must have finished signing up as a mentee.")
        if mentor is None or not mentor.is_mentor:
            raise ValidationError("Each mentor must have finished signing up as a mentor.")
        if mentee_id == mentor_id:
            raise ValidationError("Nobody can mentor themselves.")
        if not _has_place(programme=programme, mentor=mentor):
            raise ValidationError(f"{mentor.user.full_name} has no free place for another mentee.")
        pairings.append(
            _propose(programme=programme, mentor=mentor.user, mentee=mentee.user, acting_user=acting_user)
        )
    return pairings


@transaction.atomic
def request_create(*, programme: MentoringProgramme, mentee: User, mentor_ids: list[int]) -> MentoringRequest:
    """A mentee asks up to three mentors, in order. The first has REQUEST_ANSWER_DAYS to answer."""
    if not programme.is_request_mode:
        raise ValidationError("In this programme the networks team matches mentees with mentors.")
    profile = _complete_profile(programme=programme, user_id=mentee.pk)
    if profile is None or not profile.is_mentee:
        raise ValidationError("Finish signing up as a mentee before you ask a mentor.")
    if not is_active_member(user=mentee, network=programme.network):
        raise ValidationError(f"Only members of {programme.network.name} can take part in its mentoring.")
    mentor_ids = list(dict.fromkeys(mentor_ids))
    if not 1 <= len(mentor_ids) <= MAX_MENTORS_ASKED:
        raise ValidationError(f"Choose between 1 and {MAX_MENTORS_ASKED} mentors")
    if mentee.pk in mentor_ids:
        raise ValidationError("You cannot ask yourself to be your mentor")
    _lock_programme(programme)
    for mentor_id in mentor_ids:
        mentor = _complete_profile(programme=programme, user_id=mentor_id)
        if mentor is None or not mentor.is_mentor:
            raise ValidationError("Choose mentors from the list")
    request = MentoringRequest(programme=programme, mentee=mentee, mentors=mentor_ids)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        raise ValidationError(
            "You have already asked mentors: wait for their answer, or withdraw the request."
        ) from exc
    audit_record(
        actor=mentee, action="mentoring.request.created", target=request, data={"mentors": mentor_ids}
    )
    if _ask_next(request=request, after=None) is None:
        raise ValidationError("None of the mentors you chose has a free place now: choose others")
    return request


def _ask_next(*, request: MentoringRequest, after: int | None) -> Pairing | None:
    """Ask the next mentor of the request after `after` (a mentor id) who still has a place; if
    none is left, the request is exhausted and the mentee told. Call under _lock_programme."""
    programme = request.programme
    order = request.mentors
    remaining = order[order.index(after) + 1 :] if after in order else order
    for mentor_id in remaining:
        mentor = _complete_profile(programme=programme, user_id=mentor_id)
        if mentor is not None and mentor.is_mentor and _has_place(programme=programme, mentor=mentor):
            return _propose(
                programme=programme,
                mentor=mentor.user,
                mentee=request.mentee,
                acting_user=None,
                request=request,
            )
    request.state = MentoringRequest.State.EXHAUSTED
    request.closed_at = timezone.now()
    request.save(update_fields=["state", "closed_at"])
    audit_record(actor=None, action="mentoring.request.exhausted", target=request)
    mentoring_email_enqueue(
        kind="mentoring.request_exhausted",
        user=request.mentee,
        about=request,
        context_ids={"programme": programme.pk},
        dedup_key=f"request:{request.pk}:exhausted",
    )
    return None


def _locked_pairing(pairing_id: int) -> Pairing:
    return (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("programme__network", "mentor", "mentee", "request")
        .get(pk=pairing_id)
    )


def _tell_both(*, kind: str, pairing: Pairing) -> None:
    """Email each of the pair still with an account (the other may have deleted theirs)."""
    for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
        if person is None:
            continue
        mentoring_email_enqueue(
            kind=kind,
            user=person,
            about=pairing,
            context_ids={"pairing": pairing.pk, "other": other.pk if other else None},
            dedup_key=f"pairing:{pairing.pk}:{kind}:{person.pk}",
        )


@transaction.atomic
def pairing_accept(*, pairing: Pairing, acting_user: User) -> Pairing:
    """The mentor accepts a proposed pairing: it starts today and runs for the programme's length."""
    _lock_programme(pairing.programme)
    pairing = _locked_pairing(pairing.pk)
    if acting_user.pk != pairing.mentor_id:
        raise ValidationError("Only the mentor can accept this pairing.")
    if pairing.state != Pairing.State.PROPOSED:
        raise ValidationError("This pairing has already been answered.")
    if pairing.answer_by and pairing.answer_by <= timezone.now():
        raise ValidationError("The time to answer this request has passed: it has gone to another mentor.")
    today = timezone.localdate()
    mentee_profile = MentoringProfile.objects.filter(programme=pairing.programme, user=pairing.mentee).first()
    pairing.state = Pairing.State.ACCEPTED
    pairing.accepted_at = timezone.now()
    pairing.ends_on = today + relativedelta(months=pairing.programme.pairing_months)
    pairing.agreed_goals = "\n".join(mentee_profile.goals) if mentee_profile else ""
    pairing.answer_by = None
    pairing.check_in_due_on = pairing.check_in_due(None)
    pairing.save()
    if pairing.request and pairing.request.state == MentoringRequest.State.WAITING:
        pairing.request.state = MentoringRequest.State.ACCEPTED
        pairing.request.closed_at = timezone.now()
        pairing.request.save(update_fields=["state", "closed_at"])
    audit_record(actor=acting_user, action="mentoring.pairing.accepted", target=pairing)
    _tell_both(kind="mentoring.pairing_accepted", pairing=pairing)
    return pairing


@transaction.atomic
def pairing_decline(*, pairing: Pairing, acting_user: User) -> Pairing:
    """The mentor declines a proposed pairing; a request then goes to the mentee's next mentor."""
    _lock_programme(pairing.programme)
    pairing = _locked_pairing(pairing.pk)
    if acting_user.pk != pairing.mentor_id:
        raise ValidationError("Only the mentor can decline this pairing.")
    if pairing.state != Pairing.State.PROPOSED:
        raise ValidationError("This pairing has already been answered.")
    _close_proposal(pairing=pairing, acting_user=acting_user, action="mentoring.pairing.declined")
    return pairing


def _close_proposal(*, pairing: Pairing, acting_user: User | None, action: str) -> None:
    pairing.state = Pairing.State.DECLINED
    pairing.declined_at = timezone.now()
    pairing.save(update_fields=["state", "declined_at"])
    audit_record(actor=acting_user, action=action, target=pairing)
    request = pairing.request
    if request is None:
        mentoring_email_enqueue(
            kind="mentoring.pairing_declined",
            user=pairing.mentee,
            about=pairing,
            context_ids={"pairing": pairing.pk, "other": pairing.mentor_id},
            dedup_key=f"pairing:{pairing.pk}:declined",
        )
        return
    next_pairing = _ask_next(request=request, after=pairing.mentor_id)
    if next_pairing is not None:
        mentoring_email_enqueue(
            kind="mentoring.request_moved_on",
            user=pairing.mentee,
            about=next_pairing,
            context_ids={"pairing": next_pairing.pk, "other": next_pairing.mentor_id},
            dedup_key=f"pairing:{next_pairing.pk}:moved-on",
        )


def pairing_ids_expired() -> list[int]:
    return list(
        Pairing.objects.filter(
            state=Pairing.State.PROPOSED, request__isnull=False, answer_by__lte=timezone.now()
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def pairing_expire(*, pairing_id: int) -> bool:
    """A requested mentor did not answer in time: the request moves on. True if this call did it;
    a second call, or one for a pairing answered meanwhile, does nothing."""
    pairing = Pairing.objects.select_related("programme").filter(pk=pairing_id).first()
    if pairing is None:
        return False
    _lock_programme(pairing.programme)
    claimed = Pairing.objects.filter(
        pk=pairing_id, state=Pairing.State.PROPOSED, request__isnull=False, answer_by__lte=timezone.now()
    ).update(state=Pairing.State.DECLINED, declined_at=timezone.now())
    if not claimed:
        return False
    pairing = _locked_pairing(pairing_id)
    audit_record(actor=None, action="mentoring.pairing.expired", target=pairing)
    next_pairing = _ask_next(request=pairing.request, after=pairing.mentor_id)
    if next_pairing is not None:
        mentoring_email_enqueue(
            kind="mentoring.request_moved_on",
            user=pairing.mentee,
            about=next_pairing,
            context_ids={"pairing": next_pairing.pk, "other": next_pairing.mentor_id},
            dedup_key=f"pairing:{next_pairing.pk}:moved-on",
        )
    return True


@transaction.atomic
def request_withdraw(*, request: MentoringRequest, acting_user: User) -> MentoringRequest:
    """The mentee withdraws a waiting request; the mentor being asked no longer needs to answer."""
    request = MentoringRequest.objects.select_for_update().get(pk=request.pk)
    if acting_user.pk != request.mentee_id or request.state != MentoringRequest.State.WAITING:
        raise ValidationError("This request is no longer waiting for an answer.")
    request.state = MentoringRequest.State.WITHDRAWN
    request.closed_at = timezone.now()
    request.save(update_fields=["state", "closed_at"])
    request.pairings.filter(state=Pairing.State.PROPOSED).update(
        state=Pairing.State.DECLINED, declined_at=timezone.now()
    )
    audit_record(actor=acting_user, action="mentoring.request.withdrawn", target=request)
    return request


# --- a pairing under way -----------------------------------------------------------------------


@transaction.atomic
def check_in_log(*, pairing: Pairing, user: User, met_on: date, note: str) -> CheckIn:
    """Either person logs a meeting. The first one makes the pairing active and asks both how it fits."""
    pairing = _locked_pairing(pairing.pk)
    if user.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise ValidationError("Only the two people in a pairing can log its check-ins.")
    if not pairing.is_current:
        raise ValidationError("Check-ins can be logged only while the pairing is under way.")
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": "The date you met must be today or in the past"})
    if met_on < timezone.localdate(pairing.accepted_at):
        raise ValidationError({"met_on": "The date you met must be after the pairing started"})
    first = not pairing.check_ins.exists()
    check_in = CheckIn.objects.create(pairing=pairing, met_on=met_on, logged_by=user, note=note.strip())
    # A meeting ends the silence: a new due date, so the next one gets its own reminder if late.
    pairing.check_in_due_on = pairing.check_in_due(pairing.check_ins.aggregate(last=Max("met_on"))["last"])
    if pairing.state == Pairing.State.ACCEPTED:
        pairing.state = Pairing.State.ACTIVE
    pairing.save(update_fields=["state", "check_in_due_on"])
    # The note is for the pair only: the audit records that a check-in happened, not what it says.
    audit_record(
        actor=user, action="mentoring.check_in.logged", target=pairing, data={"met_on": met_on.isoformat()}
    )
    if first:
        _tell_both(kind="mentoring.fit_question", pairing=pairing)
    return check_in


@transaction.atomic
def fit_answer_save(*, pairing: Pairing, user: User, answer: str) -> FitAnswer:
    """Say how the pairing fits; "not a good fit" alerts staff (once per person), who can re-pair."""
    pairing = _locked_pairing(pairing.pk)
    if user.pk not in (pairing.mentor_id, pairing.mentee_id) or not pairing.is_current:
        raise ValidationError("Only the two people in a pairing under way can answer.")
    if not pairing.check_ins.exists():
        raise ValidationError("You can say how it is going after your first check-in.")
    if answer not in FitAnswer.Answer.values:
        raise ValidationError({"answer": "Choose how the pairing is going"})
    existing = FitAnswer.objects.filter(pairing=pairing, user=user).first()
    was_not_good = existing is not None and existing.answer == FitAnswer.Answer.NOT_GOOD
    fit, _ = FitAnswer.objects.update_or_create(
        pairing=pairing, user=user, defaults={"answer": answer, "answered_at": timezone.now()}
    )
    audit_record(actor=user, action="mentoring.fit.answered", target=pairing, data={"answer": answer})
    if answer == FitAnswer.Answer.NOT_GOOD and not was_not_good:
        mentoring_email_enqueue(
            kind="mentoring.not_a_good_fit",
            user=None,
            about=pairing,
            context_ids={"pairing": pairing.pk, "other": user.pk},
            dedup_key=f"pairing:{pairing.pk}:not-good:{user.pk}",
        )
    return fit


@transaction.atomic
def pairing_end_early(*, pairing: Pairing, acting_user: User, reason: str) -> Pairing:
    """Either person (or staff) ends a pairing before its end date; both are told."""
    pairing = _locked_pairing(pairing.pk)
    if acting_user.pk not in (pairing.mentor_id, pairing.mentee_id) and not acting_user.is_staff:
        raise ValidationError("Only the two people in a pairing, or staff, can end it.")
    if not pairing.is_current:
        raise ValidationError("This pairing is not under way.")
    pairing.state = Pairing.State.ENDED_EARLY
    pairing.ended_at = timezone.now()
    pairing.end_reason = reason.strip()
    pairing.save(update_fields=["state", "ended_at", "end_reason"])
    audit_record(actor=acting_user, action="mentoring.pairing.ended_early", target=pairing)
    _tell_both(kind="mentoring.pairing_ended_early", pairing=pairing)
    return pairing


def pairing_ids_check_in_overdue(*, today: date | None = None) -> list[int]:
    """Current pairings whose last check-in (or start) is older than cadence + grace."""
    today = today or timezone.localdate()
    return list(
        Pairing.objects.filter(state__in=Pairing.CURRENT_STATES, check_in_due_on__lt=today).values_list(
            "pk", flat=True
        )
    )


@transaction.atomic
def check_in_reminder_send(*, pairing_id: int) -> bool:
    """One reminder to both people of an overdue pairing, once per silence: the outbox's
    dedup_key names the pairing, the due date it missed and the person. True only for the call
    that owed it."""
    pairing = Pairing.objects.filter(pk=pairing_id).first() and _locked_pairing(pairing_id)
    if (
        not pairing
        or pairing.state not in Pairing.CURRENT_STATES
        or pairing.check_in_due_on is None
        or pairing.check_in_due_on >= timezone.localdate()
    ):
        return False
    owed = [
        mentoring_email_enqueue(
            kind="mentoring.check_in_reminder",
            user=person,
            about=pairing,
            context_ids={"pairing": pairing.pk, "other": other.pk},
            dedup_key=f"pairing:{pairing.pk}:check-in-reminder:{pairing.check_in_due_on}:{person.pk}",
        )
        for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor))
    ]
    if not any(owed):
        return False
    audit_record(actor=None, action="mentoring.pairing.check_in_reminded", target=pairing)
    return True


@transaction.atomic
def feedback_save(
    *, pairing: Pairing, user: User, usefulness: int, would_recommend: bool, comments: str
) -> PairingFeedback:
    """One person's feedback on a pairing that has ended. Once each: a second answer is refused."""
    pairing = _locked_pairing(pairing.pk)
    if user.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise ValidationError("Only the two people in a pairing can give feedback on it.")
    if pairing.state not in (Pairing.State.COMPLETED, Pairing.State.ENDED_EARLY):
        raise ValidationError("You can give feedback once the pairing has ended.")
    if usefulness not in PairingFeedback.Usefulness.values:
        raise ValidationError({"usefulness": "Choose how useful the mentoring was"})
    try:
        with transaction.atomic():
            feedback = PairingFeedback.objects.create(
                pairing=pairing,
                user=user,
                usefulness=usefulness,
                would_recommend=would_recommend,
                comments=comments.strip(),
            )
    except IntegrityError as exc:
        raise ValidationError("You have already given feedback on this pairing. Thank you.") from exc
    # Not what they said: feedback is only ever read in aggregate.
    audit_record(actor=user, action="mentoring.feedback.given", target=pairing)
    return feedback


def pairing_ids_ended(*, today: date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(
        Pairing.objects.filter(state__in=Pairing.CURRENT_STATES, ends_on__lte=today).values_list(
            "pk", flat=True
        )
    )


@transaction.atomic
def pairing_complete(*, pairing_id: int) -> bool:
    """A pairing that reached its end date is completed and both told, once."""
    claimed = Pairing.objects.filter(
        pk=pairing_id, state__in=Pairing.CURRENT_STATES, ends_on__lte=timezone.localdate()
    ).update(state=Pairing.State.COMPLETED, ended_at=timezone.now())
    if not claimed:
        return False
    pairing = _locked_pairing(pairing_id)
    audit_record(actor=None, action="mentoring.pairing.completed", target=pairing)
    _tell_both(kind="mentoring.pairing_completed", pairing=pairing)
    return True
