"""Feedback's part of "download my data" and of deleting an account (accounts.privacy).

What a person wrote about a session is theirs: it is in their export, and deleting their account
deletes the words, keeping only the rating (with no one attached) so a session's figures stay
right."""

from typing import Any

from .models import FeedbackResponse


def followup_data_export(*, user) -> dict[str, Any]:
    """One query whatever the person has answered."""
    responses = (
        FeedbackResponse.objects.filter(user=user).select_related("event").order_by("event__start", "id")
    )
    return {
        "session_feedback": [
            {
                "event": response.event.title,
                "event_starts": response.event.start,
                "rating": response.rating,
                "what_worked": response.what_worked,
                "what_to_improve": response.what_to_improve,
                "answered_at": response.created_at,
                "changed_at": response.updated_at,
            }
            for response in responses
        ]
    }


def followup_data_delete(*, user, emails: set[str] | None = None) -> None:
    """Delete what the person wrote in their feedback and detach it from them. Call inside the
    account deletion's transaction (before the registrations lose their person)."""
    FeedbackResponse.objects.filter(user=user).update(user=None, what_worked="", what_to_improve="")
