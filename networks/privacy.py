"""Networks' part of "download my data" and of deleting an account (privacy.services)."""

from typing import Any

from django.db.models import Model, Q

from .models import Membership, NetworkInvitation
from .services import membership_leave

APPLICATION_QUESTIONS = {
    "job_title": "Your job title",
    "organisation": "Your organisation",
    "reason": "Why you wanted to join",
    "seniority": "How senior your role is",
}


def networks_data_export(*, user) -> dict[str, Any]:
    """Their memberships and applications, with what they answered. One query."""
    memberships = Membership.objects.filter(user=user).select_related("network").order_by("network__name")
    return {
        "memberships": [
            {
                "network": membership.network.name,
                "status": membership.get_status_display(),
                "role": membership.get_role_display(),
                "meeting_reminders": membership.reminders_enabled,
                "applied_at": membership.applied_at,
                "joined_at": membership.joined_at,
                "left_at": membership.left_at,
                "decision_reason": membership.decision_reason,
                "application_answers": [
                    {
                        "question": APPLICATION_QUESTIONS.get(key, key),
                        "answer": membership.seniority_label if key == "seniority" else str(value),
                    }
                    for key, value in membership.answers.items()
                ],
            }
            for membership in memberships
        ]
    }


def networks_data_delete(*, user, emails: set[str]) -> dict[type[Model], list[int]]:
    """End the person's memberships and pending applications (membership_leave, audited) and
    delete the invitations sent to their addresses or accepted by them. The membership rows go
    with the account. Call inside the account deletion's transaction; returns the rows whose
    history names them."""
    current = Membership.objects.filter(
        user=user, status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING]
    )
    for membership in current:
        membership_leave(membership=membership, acting_user=user)

    to_them = Q(accepted_by=user)
    for email in emails:
        to_them |= Q(email__iexact=email)
    invitations = NetworkInvitation.objects.filter(to_them)
    targets = {
        Membership: list(Membership.objects.filter(user=user).values_list("pk", flat=True)),
        NetworkInvitation: list(invitations.values_list("pk", flat=True)),
    }
    invitations.delete()
    return targets
