"""Sign-in attempts per account, counted across every address they come from.

allauth limits failed sign-ins per client address, and per client address and account (see
AccountAdapter._get_login_attempts_cache_key), so a stranger cannot lock a person out from
afar. That leaves guessing one account's password from many addresses unbounded: this caps the
failures for one account over a window, whatever the address, and tells the person once per
window by email. The counts live in the shared cache (Redis in production), like allauth's.
"""

from django.core.cache import cache
from django.db import transaction

ACCOUNT_FAILURES_ALLOWED = 20
ACCOUNT_LOCKOUT_SECONDS = 15 * 60

LOCKED_MESSAGE = (
    "There have been too many attempts to sign in to this account. For your security, wait 15 "
    "minutes and try again, or reset your password"
)


def _key(kind: str, email: str) -> str:
    return f"accounts:sign-in:{kind}:{email.strip().lower()}"


def account_sign_in_locked(*, email: str) -> bool:
    """Whether sign-in to this account is refused for now, even with the right password."""
    return (cache.get(_key("failures", email)) or 0) >= ACCOUNT_FAILURES_ALLOWED


def account_sign_in_failed(*, email: str) -> int:
    """Count one failed sign-in to the account (known or not: the answer looks the same either
    way); when the count reaches the cap, tell the account's owner, once per window."""
    key = _key("failures", email)
    cache.add(key, 0, ACCOUNT_LOCKOUT_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ACCOUNT_LOCKOUT_SECONDS)
        failures = 1
    if failures >= ACCOUNT_FAILURES_ALLOWED and cache.add(_key("noticed", email), 1, ACCOUNT_LOCKOUT_SECONDS):
        _notify_owner(email)
    return failures


def account_sign_in_reset(*, email: str) -> None:
    """After the person set a new password from an emailed link: the account opens again."""
    cache.delete_many([_key("failures", email), _key("noticed", email)])


def _notify_owner(email: str) -> None:
    """Owe the account's owner one email that sign-in is paused; only a confirmed address of an
    existing account is written to."""
    from allauth.account.models import EmailAddress

    from outbox.services import enqueue

    from .emails import SIGN_IN_ATTEMPTS

    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if address is not None:
        with transaction.atomic():
            enqueue(kind=SIGN_IN_ATTEMPTS, to=address.email, user=address.user, about=address.user)
