"""A pairing under way: check-ins, how it fits, ending early, reminders, completion, feedback."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record

from ..emails import mentoring_email_enqueue
from ..models import (
    AGREED_GOALS_MAX_LENGTH,
    CheckIn,
    FitAnswer,
    Pairing,
    PairingFeedback,
)
from .making_pairs import (
    _complete_profile,
    _has_place,
    _lock_programme,
    _locked_pairing,
    _propose,
    _tell_both,
)

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
    _end_early(pairing=pairing, acting_user=acting_user, reason=reason)
    return pairing


def _end_early(*, pairing: Pairing, acting_user: User, reason: str) -> None:
    pairing.state = Pairing.State.ENDED_EARLY
    pairing.ended_at = timezone.now()
    pairing.end_reason = reason.strip()
    pairing.save(update_fields=["state", "ended_at", "end_reason"])
    audit_record(actor=acting_user, action="mentoring.pairing.ended_early", target=pairing)
    _tell_both(kind="mentoring.pairing_ended_early", pairing=pairing)


@transaction.atomic
def pairing_repair(*, pairing: Pairing, mentor_id: int, reason: str, acting_user: User) -> Pairing:
    """Staff re-pair a mentee in one step: the pairing ends early with `reason` (both are told) and
    the mentee is proposed to another mentor, who accepts or declines as with any staff match.
    The new mentor's place is decided with the programme locked, as for every match; any refusal
    (ValidationError) leaves the old pairing as it was. Returns the new, proposed pairing."""
    if not acting_user.is_staff:
        raise ValidationError("Only the networks team can re-pair a mentee.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the pairing is ending"})
    programme = pairing.programme
    _lock_programme(programme)
    pairing = _locked_pairing(pairing.pk)
    if not pairing.is_current or pairing.mentee is None:
        raise ValidationError("This pairing is not under way.")
    if mentor_id in (pairing.mentor_id, pairing.mentee_id):
        raise ValidationError({"mentor": "Choose a different mentor"})
    mentor = _complete_profile(programme=programme, user_id=mentor_id)
    if mentor is None or not mentor.is_mentor:
        raise ValidationError({"mentor": "Choose a mentor who has signed up to the programme"})
    if not _has_place(programme=programme, mentor=mentor):
        raise ValidationError({"mentor": f"{mentor.user.full_name} has no free place for another mentee"})
    _end_early(pairing=pairing, acting_user=acting_user, reason=reason)
    new = _propose(programme=programme, mentor=mentor.user, mentee=pairing.mentee, acting_user=acting_user)
    audit_record(
        actor=acting_user,
        action="mentoring.pairing.re_paired",
        target=new,
        data={"ended_pairing": pairing.pk, "mentor": mentor.user_id, "mentee": pairing.mentee_id},
    )
    return new


@transaction.atomic
def pairing_goals_save(*, pairing: Pairing, user: User, agreed_goals: str) -> Pairing:
    """Either person of a pairing under way changes the goals they agreed (the two of them and
    staff see them). Audited without the text."""
    pairing = _locked_pairing(pairing.pk)
    if user.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise ValidationError("Only the two people in a pairing can change its goals.")
    if not pairing.is_current:
        raise ValidationError("Goals can be changed only while the pairing is under way.")
    agreed_goals = agreed_goals.strip()
    if not agreed_goals:
        raise ValidationError({"agreed_goals": "Enter the goals you agreed"})
    if len(agreed_goals) > AGREED_GOALS_MAX_LENGTH:
        raise ValidationError(
            {"agreed_goals": f"Goals must be {AGREED_GOALS_MAX_LENGTH} characters or fewer"}
        )
    pairing.agreed_goals = agreed_goals
    pairing.agreed_goals_changed_at = timezone.now()
    pairing.agreed_goals_changed_by = user
    pairing.save(update_fields=["agreed_goals", "agreed_goals_changed_at", "agreed_goals_changed_by"])
    audit_record(actor=user, action="mentoring.pairing.goals_changed", target=pairing)
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
