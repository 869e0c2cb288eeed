"""Each person with a place at an online session has their own joining address on the portal,
which sends them on to the meeting link. Staff may change the meeting link at any time without
resending anything, and using the address records that the person joined.

The address carries the registration's id signed with the portal's secret, so it works from an
email or a calendar without signing in, and nobody can make one for someone else's place."""

from datetime import datetime, timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from loti_portal.utils import absolute_url

from .models import Event, Registration

# The joining address works from this long before the start until the end.
OPENS_BEFORE_START = timedelta(minutes=15)

_signer = signing.Signer(salt="events.joining", sep=".")


def join_token(registration: Registration) -> str:
    return _signer.sign(str(registration.pk))


def registration_id_from_join_token(token: str) -> int | None:
    """The registration id a joining token stands for, or None if it was not made here."""
    try:
        return int(_signer.unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def join_path(registration: Registration) -> str:
    return reverse("events:event-join", args=[join_token(registration)])


def join_address(registration: Registration) -> str:
    """The person's own joining address, absolute, for emails and calendar files."""
    return absolute_url(join_path(registration))


def join_opens_at(event: Event) -> datetime:
    return event.start - OPENS_BEFORE_START


def has_joinable_place(registration: Registration | None, event: Event) -> bool:
    """A place (confirmed, or already marked) at a published session with a meeting link, taken
    online if the session is hybrid."""
    return (
        registration is not None
        and registration.holds_place
        and bool(event.online_url)
        and event.status == Event.Status.PUBLISHED
        # At a hybrid session, only those who chose to join online.
        and (not event.is_hybrid or registration.mode == Registration.Mode.ONLINE)
    )


def calendar_online_link(registration: Registration | None, event: Event) -> str:
    """The online link a person's calendar files (invitations, reminders, downloads, their feed,
    "add to calendar" links) carry: their own joining address if they have a place to join
    online, else nothing. Never the meeting link itself, which staff may change and which would
    not record that they came."""
    if has_joinable_place(registration, event):
        return join_address(registration)
    return ""


def join_is_open(event: Event, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return join_opens_at(event) <= now < event.end


def join_now_path(registration: Registration | None, event: Event, now: datetime | None = None) -> str:
    """The path for a "Join now" button: the person's joining address while joining is open
    for their place, else the empty string."""
    if has_joinable_place(registration, event) and join_is_open(event, now):
        return join_path(registration)
    return ""


def registration_for_join_token(token: str) -> Registration | None:
    """The registration (with its event and person) a joining token stands for, or None."""
    registration_id = registration_id_from_join_token(token)
    if registration_id is None:
        return None
    return Registration.objects.select_related("event", "user").filter(pk=registration_id).first()
