"""Signed tokens for the newsletter's links. A forged or altered token raises signing.BadSignature."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
DIGEST_OFF_SALT = "newsletter.digest-off"
# A confirmation link works for as long as the unconfirmed sign-up is kept.
CONFIRM_MAX_AGE = timedelta(days=7)


def email_hash(email: str) -> str:
    """A keyed hash of an address (lower-cased): the same address always gives the same hash,
    and nobody without the portal's secret key can test addresses against it."""
    key = f"newsletter.email:{settings.SECRET_KEY}".encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def confirm_token(*, subscriber_id: int, email: str) -> str:
    return signing.dumps({"s": subscriber_id, "h": email_hash(email)[:16]}, salt=CONFIRM_SALT, compress=True)


def confirm_token_read(token: str) -> tuple[int, str]:
    """(subscriber id, short address hash); raises BadSignature, or SignatureExpired after 7 days."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    return int(data["s"]), str(data["h"])


def unsubscribe_token(*, subscriber_id: int, email: str) -> str:
    return signing.dumps(
        {"s": subscriber_id, "h": email_hash(email)[:16]}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["s"]), str(data["h"])


def digest_off_token(*, user_id: int, network_ids: list[int]) -> str:
    return signing.dumps({"u": user_id, "n": sorted(network_ids)}, salt=DIGEST_OFF_SALT, compress=True)


def digest_off_token_read(token: str) -> tuple[int, list[int]]:
    data = signing.loads(token, salt=DIGEST_OFF_SALT)
    return int(data["u"]), [int(network_id) for network_id in data["n"]]
