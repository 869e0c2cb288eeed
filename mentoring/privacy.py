"""Mentoring's part of "download my data" and of deleting an account (privacy.services).

A pairing belongs to two people. When one deletes their account, what is theirs goes (profiles,
goals, requests, answers, feedback, circle places, the notes they wrote) and the pairing, its
check-ins and its history stay for the other person, who sees "a former member" (FORMER_MEMBER).
"""

from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from .models import (
    CheckIn,
    CircleMembership,
    CirclePlacementRequest,
    FitAnswer,
    MentoringProfile,
    MentoringRequest,
    Pairing,
    PairingFeedback,
)
from .services import pairing_decline, pairing_end_early, request_withdraw

ACCOUNT_DELETED_REASON = "The other person closed their account."


def mentoring_data_export(*, user) -> dict[str, Any]:
    """Everything mentoring holds about the person. A fixed number of queries whatever they have."""
    profiles = (
        MentoringProfile.objects.filter(user=user)
        .select_related("programme")
        .prefetch_related("focus_areas")
        .order_by("programme__name")
    )
    requests = MentoringRequest.objects.filter(mentee=user).select_related("programme")
    pairings = (
        Pairing.objects.filter(Q(mentor=user) | Q(mentee=user))
        .select_related("programme", "mentor", "mentee")
        .prefetch_related(
            Prefetch("check_ins", queryset=CheckIn.objects.order_by("met_on", "pk")),
            Prefetch("fit_answers", queryset=FitAnswer.objects.filter(user=user), to_attr="my_fit"),
            Prefetch("feedback", queryset=PairingFeedback.objects.filter(user=user), to_attr="my_feedback"),
        )
        .order_by("proposed_at", "pk")
    )
    circles = CircleMembership.objects.filter(user=user).select_related("circle__network")
    placements = CirclePlacementRequest.objects.filter(user=user).select_related("network", "placed_in")
    return {
        "mentoring_profiles": [
            {
                "programme": profile.programme.name,
                "role": profile.get_role_display(),
                "focus_areas": [area.name for area in profile.focus_areas.all()],
                "goals": list(profile.goals),
                "about": profile.about,
                "meeting_format": profile.get_meeting_format_display(),
                "prefers_outside_organisation": profile.prefers_outside_organisation,
                "capacity": profile.capacity,
                "show_job_title": profile.show_job_title,
                "show_organisation": profile.show_organisation,
                "code_of_conduct_accepted_at": profile.code_of_conduct_accepted_at,
                "withdrawn_at": profile.withdrawn_at,
                "created_at": profile.created_at,
            }
            for profile in profiles
        ],
        "mentoring_requests": [
            {
                "programme": request.programme.name,
                "state": request.get_state_display(),
                "created_at": request.created_at,
                "closed_at": request.closed_at,
            }
            for request in requests
        ],
        "mentoring_pairings": [_pairing(pairing, user=user) for pairing in pairings],
        "peer_circles": [
            {
                "circle": membership.circle.name,
                "network": membership.circle.network.name,
                "joined_at": membership.joined_at,
                "left_at": membership.left_at,
            }
            for membership in circles.order_by("joined_at")
        ],
        "peer_circle_requests": [
            {
                "network": placement.network.name,
                "note": placement.note,
                "created_at": placement.created_at,
                "placed_in": placement.placed_in.name if placement.placed_in else None,
                "closed_at": placement.closed_at,
            }
            for placement in placements.order_by("created_at")
        ],
    }


def _pairing(pairing: Pairing, *, user) -> dict[str, Any]:
    you_mentor = pairing.mentor_id == user.pk
    return {
        "programme": pairing.programme.name,
        "your_role": "mentor" if you_mentor else "mentee",
        "with": pairing.other_person(user).full_name,
        "state": pairing.get_state_display(),
        "agreed_goals": pairing.agreed_goals,
        "proposed_at": pairing.proposed_at,
        "accepted_at": pairing.accepted_at,
        "ends_on": pairing.ends_on,
        "ended_at": pairing.ended_at,
        "end_reason": pairing.end_reason,
        "check_ins": [
            {
                "met_on": check_in.met_on,
                "note": check_in.note,
                "logged_by_you": check_in.logged_by_id == user.pk,
            }
            for check_in in pairing.check_ins.all()
        ],
        "how_it_is_going": pairing.my_fit[0].get_answer_display() if pairing.my_fit else None,
        "feedback": [
            {
                "usefulness": feedback.get_usefulness_display(),
                "would_recommend": feedback.would_recommend,
                "comments": feedback.comments,
            }
            for feedback in pairing.my_feedback
        ],
    }


def mentoring_data_delete(*, user, emails: set[str] | None = None) -> None:
    """Close what is open (so nobody waits for a deleted person: a request moves on to the
    mentee's next choice, the other person of a pairing under way is told it has ended), then
    delete what is the person's. Pairings and check-ins stay for the other person, the deleted
    person's notes emptied; the account's deletion then leaves their side of each pairing empty.
    Call inside the account deletion's transaction, before its emails to the person are deleted."""
    for request in MentoringRequest.objects.filter(mentee=user, state=MentoringRequest.State.WAITING):
        request_withdraw(request=request, acting_user=user)
    for pairing in Pairing.objects.filter(mentor=user, state=Pairing.State.PROPOSED):
        pairing_decline(pairing=pairing, acting_user=user)
    Pairing.objects.filter(mentee=user, state=Pairing.State.PROPOSED).update(
        state=Pairing.State.DECLINED, declined_at=timezone.now()
    )
    for pairing in Pairing.objects.filter(Q(mentor=user) | Q(mentee=user), state__in=Pairing.CURRENT_STATES):
        pairing_end_early(pairing=pairing, acting_user=user, reason=ACCOUNT_DELETED_REASON)
    CheckIn.objects.filter(logged_by=user).update(note="")
    FitAnswer.objects.filter(user=user).delete()
    PairingFeedback.objects.filter(user=user).delete()
    MentoringRequest.objects.filter(mentee=user).delete()
    MentoringProfile.objects.filter(user=user).delete()
    CircleMembership.objects.filter(user=user).delete()
    CirclePlacementRequest.objects.filter(user=user).delete()
