"""Every change to the newsletter's data: sign-ups, confirmations, unsubscribes, issues and their
sending, and members' digests. Emails go through the outbox (outbox.services.enqueue)."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from events.models import Event
from outbox.models import Email
from outbox.services import enqueue, enqueue_many

from . import emails
from .models import Issue, NetworkDigest, SessionPublished, Subscriber, UnsubscribedAddress
from .selectors import coming_up_events, digest_sessions_for
from .tokens import email_hash

logger = logging.getLogger(__name__)

PENDING_KEPT = timedelta(days=7)
UNSUBSCRIBED_KEPT = timedelta(days=30)
FAN_OUT_BATCH = 1000
DIGEST_WEEK = timedelta(days=7)


# --- subscribers ----------------------------------------------------------------------------


@transaction.atomic
def subscriber_request(*, email: str, name: str = "") -> None:
    """Someone asked for the newsletter. Whatever the address's state, the caller shows the same
    answer; the address's owner learns the rest by email:
    - new, pending, unsubscribed or suppressed: a confirmation link (double opt-in);
    - already subscribed: a note saying so, changing nothing.
    """
    now = timezone.now()
    email = email.strip().lower()
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is not None and subscriber.status == Subscriber.Status.SUBSCRIBED:
        enqueue(kind=emails.ALREADY_SUBSCRIBED, to=email, data={"subscriber_id": subscriber.pk})
        return
    if subscriber is None:
        subscriber = Subscriber.objects.create(
            email=email, name=name.strip(), consented_at=now, created_at=now
        )
    else:
        subscriber.name = name.strip() or subscriber.name
        subscriber.status = Subscriber.Status.PENDING
        subscriber.consented_at = now
        subscriber.created_at = now  # the 7 days to confirm start again
        subscriber.save(update_fields=["name", "status", "consented_at", "created_at"])
    enqueue(kind=emails.CONFIRM, to=email, data={"subscriber_id": subscriber.pk})


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """The owner followed the confirmation link. Idempotent: confirming twice changes nothing."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status != Subscriber.Status.SUBSCRIBED:
        _subscribe(subscriber)
    return subscriber


@transaction.atomic
def subscriber_subscribe_member(*, user: User) -> Subscriber:
    """A signed-in member subscribes with one button: their address is verified already, so no
    confirmation email. Idempotent."""
    email = user.email.strip().lower()
    subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
        email=email, defaults={"name": user.full_name, "user": user, "consented_at": timezone.now()}
    )
    if subscriber.user_id is None:
        subscriber.user = user
        subscriber.save(update_fields=["user"])
    if subscriber.status != Subscriber.Status.SUBSCRIBED:
        subscriber.consented_at = timezone.now()
        _subscribe(subscriber)
    return subscriber


def _subscribe(subscriber: Subscriber) -> None:
    now = timezone.now()
    subscriber.status = Subscriber.Status.SUBSCRIBED
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    subscriber.suppressed_at = None
    subscriber.suppressed_reason = ""
    subscriber.save()
    # A fresh, confirmed consent replaces an earlier "stop".
    UnsubscribedAddress.objects.filter(email_hash=email_hash(subscriber.email)).delete()


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> None:
    """Stop sending to this address, at once; idempotent. Its emails still owed are not sent
    (the newsletter's kinds check the subscriber when they are written). The address is kept
    for 30 days, then only its hash (subscribers_purge)."""
    now = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk).exclude(status=Subscriber.Status.UNSUBSCRIBED).update(
        status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now
    )
    UnsubscribedAddress.objects.get_or_create(email_hash=email_hash(subscriber.email))


def subscribers_suppress_refused() -> int:
    """Suppress the subscribers whose newsletter the mail server refused for good (the outbox
    marked the row failed), with the server's words for staff. Returns how many."""
    failed = Email.objects.filter(
        kind=emails.ISSUE, state=Email.State.FAILED, about_type="newsletter.subscriber"
    ).order_by()
    reasons = dict(failed.values_list("about_id", "last_error"))
    if not reasons:
        return 0
    count = 0
    for subscriber in Subscriber.objects.filter(pk__in=reasons, status=Subscriber.Status.SUBSCRIBED):
        count += Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.SUBSCRIBED).update(
            status=Subscriber.Status.SUPPRESSED,
            suppressed_at=timezone.now(),
            suppressed_reason=reasons[subscriber.pk][:1000],
        )
    return count


@transaction.atomic
def subscribers_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete sign-ups unconfirmed after 7 days, and addresses unsubscribed 30 days ago (keeping
    their hash). Safe to run twice."""
    now = now or timezone.now()
    pending, _ = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING, created_at__lt=now - PENDING_KEPT
    ).delete()
    gone = list(
        Subscriber.objects.filter(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at__lt=now - UNSUBSCRIBED_KEPT
        ).values_list("pk", "email", "unsubscribed_at")
    )
    UnsubscribedAddress.objects.bulk_create(
        [UnsubscribedAddress(email_hash=email_hash(email), unsubscribed_at=at) for _, email, at in gone],
        ignore_conflicts=True,
    )
    Subscriber.objects.filter(pk__in=[pk for pk, _, _ in gone]).delete()
    return {"pending_deleted": pending, "unsubscribed_deleted": len(gone)}


# --- issues ---------------------------------------------------------------------------------


@transaction.atomic
def issue_schedule(*, issue: Issue, send_at: datetime, acting_user: User) -> None:
    """Staff: send this draft at `send_at` (now or later). Audited."""
    changed = Issue.objects.filter(
        pk=issue.pk, status__in=[Issue.Status.DRAFT, Issue.Status.SCHEDULED]
    ).update(status=Issue.Status.SCHEDULED, send_at=send_at)
    if changed:
        issue.status, issue.send_at = Issue.Status.SCHEDULED, send_at
        audit_record(
            actor=acting_user,
            action="newsletter.issue.scheduled",
            target=issue,
            data={"send_at": send_at.isoformat()},
        )


@transaction.atomic
def issue_unschedule(*, issue: Issue, acting_user: User) -> bool:
    changed = Issue.objects.filter(pk=issue.pk, status=Issue.Status.SCHEDULED).update(
        status=Issue.Status.DRAFT
    )
    if changed:
        issue.status = Issue.Status.DRAFT
        audit_record(actor=acting_user, action="newsletter.issue.unscheduled", target=issue)
    return bool(changed)


@transaction.atomic
def issue_send_test(*, issue: Issue, acting_user: User) -> None:
    """Staff: send this issue, as it is now, to themselves only."""
    enqueue(
        kind=emails.TEST, to=acting_user.email, user=acting_user, about=issue, data={"issue_id": issue.pk}
    )


@transaction.atomic
def issue_send(*, issue_id: int, now: datetime | None = None) -> int:
    """Send a scheduled issue that is due: claim it (one conditional UPDATE), freeze its "Coming
    up" list, and owe one email per subscriber (dedup key per issue and subscriber), all in one
    transaction, so it goes to each subscriber exactly once however often this runs. The outbox
    sends the rows in chunks. Returns how many were owed (0 when not due or already sent)."""
    now = now or timezone.now()
    claimed = Issue.objects.filter(pk=issue_id, status=Issue.Status.SCHEDULED, send_at__lte=now).update(
        status=Issue.Status.SENDING
    )
    if not claimed:
        return 0
    issue = Issue.objects.get(pk=issue_id)
    if issue.coming_up:
        issue.coming_up_event_ids = [
            event.pk for event in coming_up_events(limit=issue.coming_up_count, now=now)
        ]
    stopped = set(UnsubscribedAddress.objects.values_list("email_hash", flat=True))
    subscribers = (
        Subscriber.objects.filter(status=Subscriber.Status.SUBSCRIBED)
        .order_by("pk")
        .values_list("pk", "email", "user_id")
    )
    written, batch = 0, []
    for pk, email, user_id in subscribers.iterator(chunk_size=FAN_OUT_BATCH):
        if stopped and email_hash(email) in stopped:
            continue
        batch.append(
            Email(
                kind=emails.ISSUE,
                to=email,
                user_id=user_id,
                about_type="newsletter.subscriber",
                about_id=pk,
                data={"issue_id": issue.pk},
                dedup_key=f"newsletter:{issue.pk}:{pk}",
            )
        )
        if len(batch) >= FAN_OUT_BATCH:
            written += enqueue_many(emails=batch)
            batch = []
    written += enqueue_many(emails=batch)
    issue.status, issue.sent_at, issue.recipients = Issue.Status.SENT, now, written
    issue.save(update_fields=["status", "sent_at", "recipients", "coming_up_event_ids"])
    audit_record(actor=None, action="newsletter.issue.sent", target=issue, data={"recipients": written})
    return written


def issues_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Issue.objects.filter(status=Issue.Status.SCHEDULED, send_at__lte=now).values_list("pk", flat=True)
    )


# --- digests --------------------------------------------------------------------------------


@transaction.atomic
def digests_set(*, user: User, network_ids: set[int]) -> None:
    """The networks this member wants weekly digests of (others are turned off)."""
    NetworkDigest.objects.filter(user=user).exclude(network_id__in=network_ids).delete()
    have = set(NetworkDigest.objects.filter(user=user).values_list("network_id", flat=True))
    NetworkDigest.objects.bulk_create(
        [NetworkDigest(user=user, network_id=network_id) for network_id in set(network_ids) - have],
        ignore_conflicts=True,
    )


@transaction.atomic
def digests_turn_off(*, user_id: int, network_ids: list[int]) -> int:
    """The one-click link in a digest: stop the digests of these networks. Idempotent."""
    deleted, _ = NetworkDigest.objects.filter(user_id=user_id, network_id__in=network_ids).delete()
    return deleted


def sessions_record_published(*, now: datetime | None = None) -> int:
    """Note when each published session was first seen published. The first run takes each
    session's creation time, so sessions already published are not all new at once."""
    now = now or timezone.now()
    first_run = not SessionPublished.objects.exists()
    new = Event.objects.filter(status=Event.Status.PUBLISHED).exclude(
        pk__in=SessionPublished.objects.values("event_id")
    )
    rows = [
        SessionPublished(event_id=pk, first_seen_at=min(created_at, now) if first_run else now)
        for pk, created_at in new.values_list("pk", "created_at")
    ]
    SessionPublished.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def digest_week(now: datetime) -> tuple[datetime, datetime]:
    """The week a digest sent at `now` covers: the 7 days before `now`'s London midnight."""
    until = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return until - DIGEST_WEEK, until


@transaction.atomic
def digests_send(*, now: datetime | None = None) -> int:
    """The weekly job: owe a digest to each member who asked for one and has something new to
    hear about (see selectors.digest_sessions_for). Safe to run twice: one per person and week."""
    now = now or timezone.now()
    sessions_record_published(now=now)
    since, until = digest_week(now)
    users = User.objects.filter(
        is_active=True, pk__in=NetworkDigest.objects.values("user_id")
    ).select_related("organisation")
    rows = []
    for user in users:
        if not digest_sessions_for(user=user, since=since, until=until, now=now):
            continue
        rows.append(
            Email(
                kind=emails.DIGEST,
                to=user.email,
                user=user,
                about_type="accounts.user",
                about_id=user.pk,
                data={"since": since.isoformat(), "until": until.isoformat()},
                dedup_key=f"digest:{user.pk}:{until.date().isoformat()}",
            )
        )
    return enqueue_many(emails=rows)
