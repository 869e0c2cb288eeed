"""The newsletter's part of "download my data" and of deleting an account (privacy.services)."""

from typing import Any

from django.db.models import Q

from .models import NetworkDigest, Subscriber


def _subscribers(*, user, emails: set[str]):
    return Subscriber.objects.filter(Q(user=user) | Q(email__in=[email.lower() for email in emails]))


def newsletter_data_export(*, user) -> dict[str, Any]:
    """Two queries whatever the person has."""
    subscribers = _subscribers(user=user, emails={user.email}).order_by("email")
    digests = NetworkDigest.objects.filter(user=user).select_related("network").order_by("network__name")
    return {
        "newsletter": [
            {
                "email": subscriber.email,
                "name": subscriber.name,
                "status": subscriber.get_status_display(),
                "signed_up_at": subscriber.created_at,
                "consented_at": subscriber.consented_at,
                "confirmed_at": subscriber.confirmed_at,
                "unsubscribed_at": subscriber.unsubscribed_at,
            }
            for subscriber in subscribers
        ],
        "weekly_digests": [
            {"network": digest.network.name, "since": digest.created_at} for digest in digests
        ],
    }


def newsletter_data_delete(*, user, emails: set[str]) -> None:
    """Delete the person's subscriptions (by account or any of their addresses) and digest
    choices. Call inside the account deletion's transaction."""
    _subscribers(user=user, emails=emails).delete()
    NetworkDigest.objects.filter(user=user).delete()
