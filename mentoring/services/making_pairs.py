"""Making pairs: staff confirm them, or mentees ask mentors in turn; the mentor answers."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record

from ..emails import mentoring_email_enqueue
from ..models import (
    MAX_MENTORS_ASKED,
    REQUEST_ANSWER_DAYS,
    MentoringProfile,
    MentoringProgramme,
    MentoringRequest,
    Pairing,
)
from ..selectors import is_active_member, mentor_capacity, mentor_places_taken

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
