"""Reminders before meetings and sessions, sent through the outbox (see outbox.services).

`reminders_enqueue_due` writes one outbox row per (event, person, offset) that is due. The row's
dedup key is unique in the database, so running the job twice, or from two beats at once, writes
nothing new, and a reminder goes out once. The outbox claims, sends, retries and sweeps them like
every other email; `reminder_email_for` writes each one at send time, and skips it when the
person should not get it any more (the meeting was cancelled, they left, turned reminders off or
cancelled their place).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.models import Email
from outbox.services import enqueue_many, outbox_sweep

from .calendar import reminder_ics
from .emails import REMINDER
from .joining import calendar_online_link
from .models import Event, Registration

# The furthest ahead a reminder may be set (networks' offsets are validated against it).
MAX_OFFSET_HOURS = 24 * 31
UNSUBSCRIBE_SALT = "events.reminders.unsubscribe"


def reminder_offsets_for(event: Event) -> list[int]:
    """Hours before the start at which this event's reminders go out, largest first: the
    network's (none when its list is empty), or the portal's default for a session of no network."""
    if event.network_id is not None:
        offsets = event.network.reminder_offsets_hours or []
    else:
        offsets = settings.REMINDER_OFFSETS_HOURS
    return sorted({int(hours) for hours in offsets if int(hours) > 0}, reverse=True)


def reminder_offset_due(*, event: Event, now: datetime) -> int | None:
    """The offset whose reminder is due now, or None.

    A reminder is due from `start - offset` until the start. When several are due (an event created
    late, or a scheduler that was down), only the one nearest the start goes out, so nobody gets a
    "week ahead" and a "day ahead" reminder minutes apart.
    """
    if event.start <= now:
        return None
    due = [hours for hours in reminder_offsets_for(event) if event.start - timedelta(hours=hours) <= now]
    return min(due) if due else None


def _recipients(event: Event):
    """Network meetings: every active member who has not turned reminders off for that network.
    Other sessions: confirmed registrants. Of those, only the people who may see the event
    (events.selectors.users_who_may_see): an invitation-only meeting is reminded to its invitees."""
    from accounts.models import User
    from networks.models import Membership

    from .selectors import users_who_may_see

    if event.kind == Event.Kind.NETWORK_MEETING and event.network_id is not None:
        wanted = Membership.objects.filter(
            network_id=event.network_id, status=Membership.Status.ACTIVE, reminders_enabled=True
        ).values("user_id")
    else:
        wanted = Registration.objects.filter(
            event=event, status=Registration.Status.CONFIRMED, user__isnull=False
        ).values("user_id")
    users = User.objects.filter(pk__in=wanted, is_active=True)
    return users_who_may_see(event=event, users=users).order_by("pk").values_list("pk", flat=True)


def reminders_to_come(
    *, event: Event, now: datetime | None = None, with_due: bool = True
) -> list[tuple[datetime, int]]:
    """(when it goes, offset in hours) of each reminder of the event still to be written, soonest
    first: those whose time has not come, and (`with_due`, one query) the one due now if it is
    not written yet, which the next run of the job writes. For staff."""
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or event.start <= now:
        return []
    coming = [
        (event.start - timedelta(hours=hours), hours)
        for hours in reminder_offsets_for(event)
        if event.start - timedelta(hours=hours) > now
    ]
    due = reminder_offset_due(event=event, now=now) if with_due else None
    if due is not None and not reminders_of(event).filter(data__offset_hours=due).exists():
        coming.append((now, due))
    return sorted(coming)


def _guest_recipients(event: Event):
    """Guests with a place (sessions only: guests never belong to a network)."""
    if event.kind == Event.Kind.NETWORK_MEETING and event.network_id is not None:
        return Registration.objects.none()
    return Registration.objects.filter(
        event=event, status=Registration.Status.CONFIRMED, user__isnull=True
    ).exclude(guest_email="")


def reminder_recipients_count(event: Event) -> int:
    """How many people the event's reminders go to now."""
    return _recipients(event).count() + _guest_recipients(event).count()


def guest_reminder_dedup_key(*, event_id: int, registration_id: int, offset_hours: int) -> str:
    return f"{REMINDER}:{event_id}:guest-{registration_id}:{offset_hours}"


def reminder_dedup_key(*, event_id: int, user_id: int, offset_hours: int) -> str:
    """What makes a reminder once per meeting, person and offset (unique in the outbox)."""
    return f"{REMINDER}:{event_id}:{user_id}:{offset_hours}"


def reminders_of(event: Event):
    """The outbox rows of this event's reminders."""
    return Email.objects.filter(kind=REMINDER, about_type="events.event", about_id=event.pk)


@transaction.atomic
def _reminders_write(*, event: Event, offset: int, user_ids, now: datetime) -> int:
    emails = {user.pk: user.email for user in _users(user_ids)}
    return enqueue_many(
        emails=(
            Email(
                kind=REMINDER,
                to=address,
                user_id=user_id,
                about_type="events.event",
                about_id=event.pk,
                data={"offset_hours": offset},
                dedup_key=reminder_dedup_key(event_id=event.pk, user_id=user_id, offset_hours=offset),
                created_at=now,
                available_at=now,
            )
            for user_id, address in emails.items()
        )
    ) + enqueue_many(
        emails=(
            Email(
                kind=REMINDER,
                to=guest.guest_email,
                about_type="events.event",
                about_id=event.pk,
                data={"offset_hours": offset, "registration_id": guest.pk},
                dedup_key=guest_reminder_dedup_key(
                    event_id=event.pk, registration_id=guest.pk, offset_hours=offset
                ),
                created_at=now,
                available_at=now,
            )
            for guest in _guest_recipients(event).only("pk", "guest_email")
        )
    )


def _users(user_ids):
    from accounts.models import User

    return User.objects.filter(pk__in=user_ids).only("pk", "email")


def reminders_enqueue_due(*, now: datetime | None = None) -> int:
    """Write an outbox row for every reminder that is due. Idempotent; returns rows written."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=MAX_OFFSET_HOURS)
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED, start__gt=now, start__lte=horizon
    ).select_related("network")
    written = 0
    for event in events:
        offset = reminder_offset_due(event=event, now=now)
        if offset is None:
            continue
        written += _reminders_write(event=event, offset=offset, user_ids=_recipients(event), now=now)
    return written


def reminders_run_due(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: write what is due (handed to workers as each event's rows commit), then
    sweep the outbox. Returns rows written, rows released from stopped workers, rows queued by
    the sweep."""
    now = now or timezone.now()
    written = reminders_enqueue_due(now=now)
    return {"written": written, **outbox_sweep(now=now)}


class _ChunkContext:
    """What the reminders of one chunk share, read or built once for the chunk rather than once
    per message: their events (one query), the registrants' confirmed registrations (one query),
    each event's recipients (one query per event), links, and each event's calendar file
    without its attendee."""

    def __init__(self, emails: list[Email]):
        event_ids = {email.about_id for email in emails}
        user_ids = {email.user_id for email in emails}
        self.events = Event.objects.select_related("network").in_bulk(event_ids)
        self.registrations = {
            (registration.event_id, registration.user_id): registration
            for registration in Registration.objects.filter(
                event_id__in=event_ids, user_id__in=user_ids, status=Registration.Status.CONFIRMED
            )
        }
        self.recipients: dict[int, set[int]] = {}
        self.calendars: dict = {}
        self.settings_url = absolute_url(reverse("events:notification-settings"))
        self._event_urls: dict[int, str] = {}

    def registration_for(self, event: Event, user) -> Registration | None:
        registration = self.registrations.get((event.pk, user.pk))
        if registration is not None:
            registration.event, registration.user = event, user
        return registration

    def still_wanted(self, event: Event, user, now: datetime) -> bool:
        """Whether the person should still get it: the event is on and they are still a recipient
        (they may have left the network, turned reminders off or cancelled since)."""
        if event.status != Event.Status.PUBLISHED or event.start <= now or not user.is_active:
            return False
        if event.pk not in self.recipients:
            self.recipients[event.pk] = set(_recipients(event))
        return user.pk in self.recipients[event.pk]

    def event_url(self, event: Event) -> str:
        if event.pk not in self._event_urls:
            self._event_urls[event.pk] = absolute_url(reverse("events:event-detail", args=[event.slug]))
        return self._event_urls[event.pk]


def reminder_email_for(*, email: Email, shared: dict):
    """The reminder of one outbox row, or None when it should not go any more."""
    if "reminders" not in shared:
        chunk = [row for row in shared.get("chunk", [email]) if row.kind == REMINDER] or [email]
        shared["reminders"] = _ChunkContext(chunk)
    context = shared["reminders"]
    event = context.events.get(email.about_id)
    if event is not None and email.user is None and "registration_id" in email.data:
        return _guest_reminder(email=email, event=event, shared=context)
    if event is None or email.user is None:
        return None
    if not context.still_wanted(event, email.user, timezone.now()):
        return None
    return reminder_message(
        event=event, user=email.user, offset_hours=email.data["offset_hours"], ref=email.pk, shared=context
    )


def _guest_reminder(*, email: Email, event: Event, shared: _ChunkContext):
    """A guest's reminder, while they still have a place at the address it was written to."""
    from .guest_links import registrant_person, registration_url

    registration = _guest_recipients(event).filter(pk=email.data["registration_id"]).first()
    if registration is None or registration.guest_email.lower() != email.to.lower():
        return None
    if event.status != Event.Status.PUBLISHED or event.start <= timezone.now():
        return None
    registration.event = event
    guest = registrant_person(registration)
    return email_build(
        template="events-reminder",
        to=[guest.email],
        context={
            "event": event,
            "person": guest,
            "is_guest": True,
            "offset_hours": email.data["offset_hours"],
            "event_url": shared.event_url(event),
            # The guest's own joining address, never the meeting link itself.
            "online_url": calendar_online_link(registration, event),
            "unsubscribe_url": None,
            "settings_url": registration_url(registration),
        },
        headers={"X-Entity-Ref-ID": f"reminder-{email.pk}"},
        attachments=[
            (
                "invite.ics",
                reminder_ics(event=event, user=guest, registration=registration, shared=shared.calendars),
                "text/calendar; method=REQUEST",
            )
        ],
    )


def unsubscribe_token(*, user_id: int, network_id: int) -> str:
    return signing.dumps({"u": user_id, "n": network_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, int]:
    """(user id, network id) from a token; raises signing.BadSignature for a forged or broken one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), int(data["n"])


def reminder_message(*, event: Event, user, offset_hours: int, ref: int, shared: _ChunkContext):
    """The reminder email: text + HTML, the .ics, and one-click unsubscribe."""
    registration = shared.registration_for(event, user)
    headers = {"X-Entity-Ref-ID": f"reminder-{ref}"}
    unsubscribe_url = None
    if event.network_id is not None:
        token = unsubscribe_token(user_id=user.id, network_id=event.network_id)
        unsubscribe_url = absolute_url(reverse("events:reminders-unsubscribe", args=[token]))
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # As in the calendar file: someone with a place to join online gets their own joining
    # address, which records that they came, never the meeting link itself. A member reminded of
    # a meeting they have not registered for gets the way to register instead.
    online_url = calendar_online_link(registration, event)
    register_url = ""
    if event.kind == Event.Kind.NETWORK_MEETING and (registration is None or not registration.is_active):
        register_url = absolute_url(reverse("events:event-register", args=[event.slug]))
    return email_build(
        template="events-reminder",
        to=[user.email],
        context={
            "event": event,
            "person": user,
            "offset_hours": offset_hours,
            "event_url": shared.event_url(event),
            "online_url": online_url,
            "register_url": register_url,
            "unsubscribe_url": unsubscribe_url,
            "settings_url": shared.settings_url,
        },
        headers=headers,
        attachments=[
            (
                "invite.ics",
                reminder_ics(event=event, user=user, registration=registration, shared=shared.calendars),
                "text/calendar; method=REQUEST",
            )
        ],
    )


@transaction.atomic
def reminders_send_due_now_for_event(*, event: Event, acting_user) -> int:
    """Staff action: write this event's due reminders now; they go once the action commits.
    Returns rows written."""
    from accounts.services import audit_record

    now = timezone.now()
    offsets = reminder_offsets_for(event)
    offset = reminder_offset_due(event=event, now=now) or (
        min(offsets) if offsets and event.start > now else None
    )
    if offset is None:
        return 0
    written = _reminders_write(event=event, offset=offset, user_ids=list(_recipients(event)), now=now)
    audit_record(
        actor=acting_user, action="events.reminders.sent_now", target=event, data={"written": written}
    )
    return written
