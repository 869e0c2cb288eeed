"""Reminders before meetings and sessions, through an outbox that never loses or repeats one.

1. `reminders_enqueue_due` writes one ReminderDelivery row per (event, person, offset) that is due,
   under a unique constraint, before anything is sent. Running it twice, or from two beats at once,
   writes nothing new.
2. `reminders_dispatch_pending` hands pending rows to workers in chunks, and only rows that were
   not handed out in the last few minutes, so the broker never holds work for long and losing it
   (Redis restarting empty) only delays it.
3. `reminders_send_chunk` claims a chunk in one UPDATE (renewed every RENEW_CLAIMS_EVERY while it
   sends), sends each message over one SMTP connection and marks each row sent as soon as the
   server accepts it. A worker killed mid-chunk leaves its rows "sending";
   `reminders_requeue_stale` puts them back after a while, so at most the message in flight at
   the moment of the kill goes out twice.
"""

import logging
import smtplib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from loti_portal.emails import email_build
from loti_portal.utils import absolute_url

from .calendar import reminder_ics
from .models import Event, Registration, ReminderDelivery

logger = logging.getLogger(__name__)

CHUNK_SIZE = 100
# The furthest ahead a reminder may be set (networks' offsets are validated against it).
MAX_OFFSET_HOURS = 24 * 31
# A row handed to a worker and not sent within this time is handed out again.
REQUEUE_AFTER = timedelta(minutes=5)
# A row claimed by a worker that died is released after this time.
STALE_CLAIM_AFTER = timedelta(minutes=10)
# A worker renews its claim on the rows of its chunk it has not sent yet this often: far inside
# STALE_CLAIM_AFTER, so a row is never released while a live worker is about to send it.
RENEW_CLAIMS_EVERY = timedelta(seconds=30)
UNSUBSCRIBE_SALT = "events.reminders.unsubscribe"


class TransientEmailError(Exception):
    """The mail server could not take messages just now; the rows are pending again."""


def reminder_offsets_for(event: Event) -> list[int]:
    """Hours before the start at which this event's reminders go out, largest first."""
    offsets = None
    if event.network_id is not None:
        offsets = event.network.reminder_offsets_hours
    if not offsets:
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
        rows = [
            ReminderDelivery(event=event, user_id=user_id, offset_hours=offset, created_at=now)
            for user_id in _recipients(event).iterator()
        ]
        before = ReminderDelivery.objects.filter(event=event, offset_hours=offset).count()
        ReminderDelivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        written += ReminderDelivery.objects.filter(event=event, offset_hours=offset).count() - before
    return written


def reminders_requeue_stale(*, now: datetime | None = None) -> int:
    """Release rows claimed by a worker that stopped before finishing them."""
    now = now or timezone.now()
    return ReminderDelivery.objects.filter(
        status=ReminderDelivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER
    ).update(status=ReminderDelivery.Status.PENDING, claim_token=None)


def reminders_dispatch_pending(*, now: datetime | None = None, limit: int = 20_000) -> int:
    """Queue a send task for each chunk of pending rows not handed out recently. Returns rows queued."""
    from .tasks import send_reminder_chunk

    now = now or timezone.now()
    ids = list(
        ReminderDelivery.objects.filter(status=ReminderDelivery.Status.PENDING)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        ReminderDelivery.objects.filter(id__in=chunk).update(queued_at=now)
        send_reminder_chunk.delay(chunk)
    return len(ids)


def reminders_run_due(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: enqueue what is due, release stale claims, dispatch what is pending."""
    now = now or timezone.now()
    return {
        "written": reminders_enqueue_due(now=now),
        "released": reminders_requeue_stale(now=now),
        "queued": reminders_dispatch_pending(now=now),
    }


def _claim(delivery_ids: Iterable[int], now: datetime) -> list[ReminderDelivery]:
    token = uuid.uuid4()
    ReminderDelivery.objects.filter(id__in=list(delivery_ids), status=ReminderDelivery.Status.PENDING).update(
        status=ReminderDelivery.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return list(
        ReminderDelivery.objects.filter(claim_token=token)
        .select_related("event", "event__network", "user")
        .order_by("id")
    )


class _ChunkContext:
    """What the reminders of one chunk share, read or built once for the chunk rather than once
    per message: the registrants' confirmed registrations (one query), each event's links and
    each event's calendar file without its attendee."""

    def __init__(self, deliveries: list[ReminderDelivery]):
        event_ids = {delivery.event_id for delivery in deliveries}
        user_ids = {delivery.user_id for delivery in deliveries}
        self.registrations = {
            (registration.event_id, registration.user_id): registration
            for registration in Registration.objects.filter(
                event_id__in=event_ids, user_id__in=user_ids, status=Registration.Status.CONFIRMED
            )
        }
        self.calendars: dict = {}
        self.settings_url = absolute_url(reverse("events:notification-settings"))
        self._event_urls: dict[int, str] = {}

    def registration_for(self, delivery: ReminderDelivery) -> Registration | None:
        registration = self.registrations.get((delivery.event_id, delivery.user_id))
        if registration is not None:
            registration.event, registration.user = delivery.event, delivery.user
        return registration

    def event_url(self, event: Event) -> str:
        if event.pk not in self._event_urls:
            self._event_urls[event.pk] = absolute_url(reverse("events:event-detail", args=[event.slug]))
        return self._event_urls[event.pk]


def reminders_send_chunk(*, delivery_ids: Iterable[int]) -> dict[str, int]:
    """Send the given reminders over one SMTP connection.

    Claims the rows first (rows already claimed or sent are skipped, so running twice is safe),
    marks each sent as soon as the server accepts it, marks refused addresses failed, and on a
    transient server failure puts the unsent rows back to pending and raises TransientEmailError
    for the task to retry with backoff.
    """
    now = timezone.now()
    claimed = _claim(delivery_ids, now)
    wanted: dict[int, set[int]] = {}
    outcome = {"sent": 0, "skipped": 0, "failed": 0}
    if not claimed:
        return outcome
    ours, renewed_at = {delivery.id for delivery in claimed}, now
    shared = _ChunkContext(claimed)
    connection = get_connection()
    try:
        connection.open()
        for index, delivery in enumerate(claimed):
            if timezone.now() - renewed_at >= RENEW_CLAIMS_EVERY:
                renewed_at = timezone.now()
                ours = _renew_claims(claimed[index:], renewed_at)
            if delivery.id not in ours:
                # The sweeper released it (this chunk stalled past STALE_CLAIM_AFTER): whoever
                # claims it next sends it, not us.
                outcome["skipped"] += 1
                continue
            if not _still_wanted(delivery, now, wanted):
                _finish(delivery, ReminderDelivery.Status.SKIPPED)
                outcome["skipped"] += 1
                continue
            message = reminder_message(delivery=delivery, shared=shared)
            message.connection = connection
            try:
                message.send()
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                if _is_transient(exc):
                    _release(claimed[index:], exc)
                    raise TransientEmailError(str(exc)) from exc
                _finish(delivery, ReminderDelivery.Status.FAILED, error=str(exc))
                outcome["failed"] += 1
                continue
            except (smtplib.SMTPException, OSError) as exc:
                _release(claimed[index:], exc)
                raise TransientEmailError(str(exc)) from exc
            _finish(delivery, ReminderDelivery.Status.SENT)
            outcome["sent"] += 1
    except (smtplib.SMTPException, OSError) as exc:
        # Could not even connect: every claimed row that is still "sending" goes back.
        _release([d for d in claimed if d.status == ReminderDelivery.Status.SENDING], exc)
        raise TransientEmailError(str(exc)) from exc
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.warning("Closing the SMTP connection failed", exc_info=True)
    return outcome


def _is_transient(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    code = getattr(exc, "smtp_code", 0)
    return 400 <= code < 500


def _still_wanted(delivery: ReminderDelivery, now: datetime, wanted: dict[int, set[int]]) -> bool:
    """Whether the person should still get it: the event is on and they are still a recipient
    (they may have left the network, turned reminders off or cancelled since the row was written)."""
    event = delivery.event
    if event.status != Event.Status.PUBLISHED or event.start <= now or not delivery.user.is_active:
        return False
    if event.id not in wanted:
        wanted[event.id] = set(_recipients(event))
    return delivery.user_id in wanted[event.id]


def _renew_claims(deliveries: list[ReminderDelivery], now: datetime) -> set[int]:
    """Renew this worker's claim on the rows it has not sent yet; the ids of those still ours
    (the sweeper may have released some, and another worker claimed them since)."""
    if not deliveries:
        return set()
    token = deliveries[0].claim_token
    still_ours = ReminderDelivery.objects.filter(
        id__in=[delivery.id for delivery in deliveries],
        claim_token=token,
        status=ReminderDelivery.Status.SENDING,
    )
    still_ours.update(claimed_at=now)
    return set(still_ours.values_list("id", flat=True))


def _finish(delivery: ReminderDelivery, status: str, *, error: str = "") -> None:
    delivery.status = status
    fields = {"status": status, "last_error": error[:1000]}
    if status == ReminderDelivery.Status.SENT:
        fields["sent_at"] = timezone.now()
    ReminderDelivery.objects.filter(id=delivery.id, claim_token=delivery.claim_token).update(**fields)


def _release(deliveries: list[ReminderDelivery], exc: Exception) -> None:
    ids = [d.id for d in deliveries]
    ReminderDelivery.objects.filter(id__in=ids, status=ReminderDelivery.Status.SENDING).update(
        status=ReminderDelivery.Status.PENDING, claim_token=None, queued_at=None, last_error=str(exc)[:1000]
    )
    for delivery in deliveries:
        delivery.status = ReminderDelivery.Status.PENDING


def unsubscribe_token(*, user_id: int, network_id: int) -> str:
    return signing.dumps({"u": user_id, "n": network_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, int]:
    """(user id, network id) from a token; raises signing.BadSignature for a forged or broken one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), int(data["n"])


def reminder_message(*, delivery: ReminderDelivery, shared: _ChunkContext | None = None):
    """The reminder email for one delivery: text + HTML, the .ics, and one-click unsubscribe.

    `shared` is what the chunk's messages have in common (see _ChunkContext); without it, it is
    read for this one delivery.
    """
    shared = shared or _ChunkContext([delivery])
    event, user = delivery.event, delivery.user
    registration = shared.registration_for(delivery)
    headers = {"X-Entity-Ref-ID": f"reminder-{delivery.id}"}
    unsubscribe_url = None
    if event.network_id is not None:
        token = unsubscribe_token(user_id=user.id, network_id=event.network_id)
        unsubscribe_url = absolute_url(reverse("events:reminders-unsubscribe", args=[token]))
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    show_online_link = bool(event.online_url) and (
        event.kind == Event.Kind.NETWORK_MEETING or registration is not None
    )
    return email_build(
        template="events-reminder",
        to=[user.email],
        context={
            "event": event,
            "person": user,
            "offset_hours": delivery.offset_hours,
            "event_url": shared.event_url(event),
            "online_url": event.online_url if show_online_link else "",
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
    """Staff action: write this event's due reminders now and queue them. Returns rows written."""
    from accounts.services import audit_record

    now = timezone.now()
    offset = reminder_offset_due(event=event, now=now) or (
        min(reminder_offsets_for(event)) if event.start > now else None
    )
    if offset is None:
        return 0
    before = ReminderDelivery.objects.filter(event=event, offset_hours=offset).count()
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(event=event, user_id=uid, offset_hours=offset, created_at=now)
            for uid in _recipients(event)
        ],
        ignore_conflicts=True,
    )
    written = ReminderDelivery.objects.filter(event=event, offset_hours=offset).count() - before
    audit_record(
        actor=acting_user, action="events.reminders.sent_now", target=event, data={"written": written}
    )
    transaction.on_commit(lambda: reminders_dispatch_pending())
    return written
