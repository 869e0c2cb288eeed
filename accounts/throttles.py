"""Failed sign-ins, counted per browser address and account, and per account across addresses.

allauth limits failed sign-ins per browser address (ACCOUNT_RATE_LIMITS). Here:
- per browser address and account: a few failures from one place pause sign-in to that account
  from that place only, so a stranger elsewhere cannot lock the person out;
- per account, whatever the address: guessing one account's password from many addresses is
  capped over a window too, and the person is told once per window by email.
The counts live in the shared cache (Redis in production), like allauth's.
"""

from django.core.cache import cache
from django.db import transaction

ACCOUNT_FAILURES_ALLOWED = 20
ACCOUNT_LOCKOUT_SECONDS = 15 * 60
CLIENT_FAILURES_ALLOWED = 5
CLIENT_LOCKOUT_SECONDS = 5 * 60

TOO_MANY_FROM_HERE = (
    "Too many failed attempts to sign in to this account from here. Wait 5 minutes and try "
    "again, or reset your password"
)

LOCKED_MESSAGE = (
    "There have been too many attempts to sign in to this account. For your security, wait 15 "
    "minutes and try again, or reset your password"
)


def _key(kind: str, email: str) -> str:
    return f"accounts:sign-in:{kind}:{email.strip().lower()}"


def _count(key: str, seconds: int) -> int:
    """Add one to a counter that lasts `seconds` from its first count; the new count."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1


def _client_key(ip: str, email: str) -> str:
    return _key(f"client:{ip}", email)


def client_sign_in_locked(*, ip: str, email: str) -> bool:
    """Whether sign-in to this account from this browser address is paused for now."""
    return (cache.get(_client_key(ip, email)) or 0) >= CLIENT_FAILURES_ALLOWED


def client_sign_in_failed(*, ip: str, email: str) -> int:
    """Count one failed sign-in to the account from this browser address."""
    return _count(_client_key(ip, email), CLIENT_LOCKOUT_SECONDS)


def account_sign_in_locked(*, email: str) -> bool:
    """Whether sign-in to this account is refused for now, even with the right password."""
    return (cache.get(_key("failures", email)) or 0) >= ACCOUNT_FAILURES_ALLOWED


def account_sign_in_failed(*, email: str) -> int:
    """Count one failed sign-in to the account (known or not: the answer looks the same either
    way); when the count reaches the cap, tell the account's owner, once per window."""
    failures = _count(_key("failures", email), ACCOUNT_LOCKOUT_SECONDS)
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
