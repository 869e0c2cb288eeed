"""The one way the portal sends email.

1. `enqueue` (or `enqueue_many`) writes the row in the caller's transaction, so the email exists
   exactly when the change that causes it does. Once that transaction commits the row is handed
   to a worker (`transaction.on_commit(..., robust=True)`): with the broker down nothing reaches
   the page, and the row waits for the sweeper.
2. `emails_send` claims rows with one conditional UPDATE (`state = pending` and due), under a
   short lease that it renews while it sends, writes each message from current data and sends
   them over one SMTP connection. Each message the server accepts is noted at once in the sent
   journal (one key per row and claim in the shared cache, far cheaper than a database write), and
   the rows noted are marked sent together, with one UPDATE keyed by the claim token, at the end of
   the chunk and at each renewal of the lease (so a row another worker claimed since is never
   marked by the old one). Where the journal cannot take a note (no shared cache, the cache down)
   the row is marked sent on its own, at once, as before.
   - the server refuses for good (5xx): the row is failed, with the server's words, for staff;
   - the server is down or refuses for now (4xx, a dropped connection): the unsent rows go back
     to pending, due again after a backoff (30 s, doubling, at most 30 minutes);
   - the worker is killed (or the database goes away mid-chunk): the lease runs out within LEASE
     and the sweeper marks sent the rows the journal says were accepted and hands the rest out
     again, so at most the message in flight at the kill goes out twice. (Were the cache to lose
     its keys in the same minutes, the rows it noted would go out again: duplicates, never a loss.)
3. `outbox_sweep` (beat, every SWEEP_EVERY) settles rows whose lease ran out (sent, from the
   journal, or released) and hands out every due row that no worker took in the last
   REQUEUE_AFTER: a task lost with the broker, a retry that is due, a row written while the broker
   was down.
"""

import logging
import random
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from loti_portal.sql import execute, insert, table

from .kinds import kind_get
from .models import Email

logger = logging.getLogger(__name__)

# Rows per send task. Small enough that a fan-out spreads evenly over the worker's processes (500
# reminders are 13 tasks, not 5 of which one process would take 3), large enough that a chunk's
# claim, shared reads and marks cost little per email.
CHUNK_SIZE = 40
# The clocks are settings (OUTBOX_*_SECONDS; production defaults in brackets), read once when
# the process starts. A worker's claim on the rows of its chunk (45 s), renewed every third of it
# while it sends: a killed worker's rows are free again LEASE after its last renewal.
LEASE = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
RENEW_EVERY = LEASE / 3
# How often beat runs the sweeper (30 s), and how long a row handed to a worker waits before it
# is handed out again (60 s: the task may have been lost with the broker, or a killed worker held it).
SWEEP_EVERY = timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)
REQUEUE_AFTER = timedelta(seconds=settings.OUTBOX_REQUEUE_SECONDS)
# A note in the sent journal outlives any lease and sweep by far.
SENT_JOURNAL_TTL = timedelta(days=1)
# A mail server failing for now: tried again after 30 s, doubling, at most 30 minutes.
RETRY_FIRST = timedelta(seconds=settings.OUTBOX_RETRY_FIRST_SECONDS)
RETRY_MAX = timedelta(seconds=settings.OUTBOX_RETRY_MAX_SECONDS)
# After the broker refused a task, this process leaves handing out to the sweeper for a while,
# so pages do not wait on a broker that is down.
BROKER_PAUSE_SECONDS = 15.0

_broker_paused_until = 0.0


def about_of(obj: Model | None) -> tuple[str, int | None]:
    """("events.event", 12) for an object, ("", None) for none."""
    if obj is None:
        return "", None
    return obj._meta.label_lower, obj.pk


def enqueue(
    *,
    kind: str,
    to: str,
    user=None,
    about: Model | None = None,
    data: dict | None = None,
    dedup_key: str | None = None,
) -> Email | None:
    """Owe one email: write its row in the caller's transaction and hand it to a worker once that
    transaction commits. Raises RuntimeError outside a transaction (the email must stand or fall
    with the change). With a `dedup_key` already used, writes nothing and returns None."""
    _require_transaction()
    kind_get(kind)  # an unknown kind is a mistake in the caller, found here rather than at send time
    about_type, about_id = about_of(about)
    row = Email(
        kind=kind,
        to=to,
        user=user,
        about_type=about_type,
        about_id=about_id,
        data=data or {},
        dedup_key=dedup_key,
    )
    if dedup_key is None:
        insert(row)  # one INSERT of our own SQL: every change that owes an email writes one
    else:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            if not Email.objects.filter(dedup_key=dedup_key).exists():
                raise
            return None
    transaction.on_commit(lambda: hand_out(email_ids=[row.pk]), robust=True)
    return row


def enqueue_many(*, emails: Iterable[Email]) -> int:
    """Owe many emails at once (unsaved Email rows, e.g. a reminder per member), in the caller's
    transaction; rows whose dedup_key is taken are left out. Returns how many this call wrote,
    exactly, even while another run writes the same keys.
    They are handed to workers once the transaction commits."""
    _require_transaction()
    rows = list(emails)
    if not rows:
        return 0
    for kind in {row.kind for row in rows}:
        kind_get(kind)
    keyed = [row for row in rows if row.dedup_key]
    # The database leaves out rows whose key is taken (ON CONFLICT DO NOTHING), also by a run
    # racing this one, whose rows a count made here would take for ours once it commits. So the
    # keyed rows carry this call's own token, seen by nobody before commit, and clearing it counts
    # exactly the rows this call wrote.
    marker = uuid.uuid4()
    for row in keyed:
        row.claim_token = marker
    Email.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=bool(keyed))
    for row in keyed:
        row.claim_token = None
    written = len(rows) - len(keyed)
    if keyed:
        written += Email.objects.filter(claim_token=marker).update(claim_token=None)
    if written:
        transaction.on_commit(lambda: outbox_dispatch(), robust=True)
    return written


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Enqueue an email inside the transaction of the change that causes it.")


# --- handing rows to workers ----------------------------------------------------------------


def hand_out(*, email_ids: list[int], now: datetime | None = None) -> int:
    """Queue a send task per chunk of rows and note when. Never raises for the broker: with it
    down the rows stay as they are and the sweeper hands them out later. Returns rows queued."""
    global _broker_paused_until
    from . import tasks  # the task module imports this one

    if not email_ids or time.monotonic() < _broker_paused_until:
        return 0
    now = now or timezone.now()
    queued = 0
    for start in range(0, len(email_ids), CHUNK_SIZE):
        chunk = email_ids[start : start + CHUNK_SIZE]
        # One UPDATE with our own SQL: handing out follows every change that owes an email.
        marks = ", ".join(["%s"] * len(chunk))
        execute(
            f"UPDATE {table(Email)} SET queued_at = %s WHERE id IN ({marks})",  # noqa: S608
            [now, *chunk],
        )
        try:
            tasks.emails_send.delay(chunk)
        except Exception:
            logger.warning("The broker did not take %d emails; the sweeper will", len(email_ids) - start)
            Email.objects.filter(id__in=email_ids[start:], queued_at=now).update(queued_at=None)
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
            break
        queued += len(chunk)
    return queued


def outbox_dispatch(*, now: datetime | None = None, limit: int = 20_000) -> int:
    """Hand out every due pending row not handed out in the last REQUEUE_AFTER. Returns rows queued."""
    now = now or timezone.now()
    ids = list(
        Email.objects.filter(state=Email.State.PENDING, available_at__lte=now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .order_by("available_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return hand_out(email_ids=ids, now=now)


def outbox_release_expired(*, now: datetime | None = None) -> int:
    """Settle rows whose worker's lease ran out (a killed or stuck worker, or one that lost the
    database): those the sent journal says the mail server accepted are marked sent, the others
    are put back to be sent again. Returns how many were put back."""
    now = now or timezone.now()
    expiring = Email.objects.filter(state=Email.State.SENDING, lease_until__lt=now)
    sent = _journal_read(list(expiring.values_list("id", "claim_token")))
    for token, ids in sent.items():
        Email.objects.filter(id__in=ids, claim_token=token, state=Email.State.SENDING).update(
            state=Email.State.SENT, sent_at=now, lease_until=None, last_error=""
        )
    if sent:
        logger.info("%d emails a stopped worker had sent are marked sent", sum(map(len, sent.values())))
    return expiring.update(state=Email.State.PENDING, claim_token=None, lease_until=None, queued_at=None)


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: release expired leases, then hand out what is due. Safe to run twice
    or from two beats: a row handed out twice is still claimed once."""
    global _broker_paused_until

    now = now or timezone.now()
    _broker_paused_until = 0.0  # the sweeper always tries the broker
    released = outbox_release_expired(now=now)
    return {"released": released, "queued": outbox_dispatch(now=now)}


# --- sending --------------------------------------------------------------------------------


def email_claim(*, email_ids: Iterable[int], now: datetime) -> list[Email]:
    """Claim the due pending rows among `email_ids` for this worker (one conditional UPDATE) and
    return them; rows already claimed, sent or not yet due are left out."""
    token = uuid.uuid4()
    Email.objects.filter(id__in=list(email_ids), state=Email.State.PENDING, available_at__lte=now).update(
        state=Email.State.SENDING, claim_token=token, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    return list(Email.objects.filter(claim_token=token).select_related("user").order_by("id"))


class _SentRows:
    """The rows of one claim the mail server has accepted and that are not yet marked sent.

    `accepted` notes a row in the sent journal at once (the sweeper reads it if this worker dies
    before the marks are written) and keeps it for `mark`, which marks every row kept with one
    UPDATE keyed by the claim token. A row the journal cannot take is marked sent on its own, at
    once, so that a kill never sends more than the message in flight again."""

    def __init__(self, token):
        self.token = token
        self.ids: list[int] = []
        self.accepted_at: datetime | None = None

    def accepted(self, email: Email) -> None:
        self.accepted_at = timezone.now()
        email.state = Email.State.SENT
        if _journal_note(self.token, email.id, self.accepted_at):
            self.ids.append(email.id)
        else:
            self.mark()
            _finish(email, self.token, Email.State.SENT)

    def mark(self) -> None:
        if self.ids:
            Email.objects.filter(id__in=self.ids, claim_token=self.token, state=Email.State.SENDING).update(
                state=Email.State.SENT, sent_at=self.accepted_at, lease_until=None, last_error=""
            )
            self.ids = []


def _journal():
    """The shared cache, when every worker and the sweeper see the same one; else None."""
    if not settings.OUTBOX_SENT_JOURNAL:
        return None
    return caches["default"]


def _journal_key(token, email_id: int) -> str:
    return f"outbox:sent:{token}:{email_id}"


def _journal_note(token, email_id: int, accepted_at: datetime) -> bool:
    """Note that the mail server accepted this row under this claim. False if it could not be
    noted (no shared cache, or the cache is down): the caller then marks the row itself."""
    journal = _journal()
    if journal is None:
        return False
    # `add` is one command that says whether it stored the key (the key is new: one per claim
    # and row), where a fail-soft `set` would drop a note silently with the cache down.
    try:
        return journal.add(_journal_key(token, email_id), accepted_at, SENT_JOURNAL_TTL.total_seconds())
    except Exception:  # a cache that fails loudly: the row is marked in the database instead
        logger.warning("The sent journal is unavailable; marking each email as it goes", exc_info=True)
        return False


def _journal_read(rows: list[tuple[int, uuid.UUID]]) -> dict[uuid.UUID, list[int]]:
    """Of these (id, claim token) pairs, the rows the journal says were accepted, by token."""
    journal = _journal()
    if journal is None or not rows:
        return {}
    keys = {_journal_key(token, email_id): (email_id, token) for email_id, token in rows if token}
    try:
        found = journal.get_many(list(keys))
    except Exception:
        logger.warning("The sent journal is unavailable; the rows are sent again", exc_info=True)
        return {}
    sent = defaultdict(list)
    for key in found:
        email_id, token = keys[key]
        sent[token].append(email_id)
    return dict(sent)


def emails_send(*, email_ids: Iterable[int]) -> dict[str, int]:
    """Send the given emails over one SMTP connection. Safe to run twice: rows are claimed first.

    Returns counts: sent, skipped (no longer applies, or another worker has it now), failed
    (refused for good, or could not be written) and retry (the mail server failed for now: due
    again after a backoff).
    """
    now = timezone.now()
    outcome = {"sent": 0, "skipped": 0, "failed": 0, "retry": 0}
    claimed = email_claim(email_ids=email_ids, now=now)
    if not claimed:
        return outcome
    token = claimed[0].claim_token
    ours, renewed_at = {email.id for email in claimed}, now
    shared: dict = {"chunk": claimed}
    sent = _SentRows(token)
    connection = get_connection()
    opened = False
    try:
        for index, email in enumerate(claimed):
            if timezone.now() - renewed_at >= RENEW_EVERY:
                renewed_at = timezone.now()
                sent.mark()
                ours = _renew(claimed[index:], token, renewed_at)
            if email.id not in ours:
                # The sweeper released it (this worker stalled past its lease): whoever claims it
                # next sends it, not us.
                outcome["skipped"] += 1
                continue
            try:
                message = kind_get(email.kind).build(email, shared)
            except Exception as exc:
                logger.exception("Email %s could not be written", email.pk)
                _finish(email, token, Email.State.FAILED, error=f"Could not be written: {exc!r}")
                outcome["failed"] += 1
                continue
            if message is None:
                _finish(email, token, Email.State.SKIPPED)
                outcome["skipped"] += 1
                continue
            try:
                if not opened:
                    connection.open()
                    opened = True
                message.connection = connection
                message.send()
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                if not _is_transient(exc):
                    _finish(email, token, Email.State.FAILED, error=_describe(exc))
                    outcome["failed"] += 1
                    continue
                sent.mark()
                outcome["retry"] += _retry_later(claimed[index:], token, exc)
                break
            except (smtplib.SMTPException, OSError) as exc:
                sent.mark()
                outcome["retry"] += _retry_later(claimed[index:], token, exc)
                break
            sent.accepted(email)
            outcome["sent"] += 1
        # Outside `finally`: after a database error the rows noted are the sweeper's to mark.
        sent.mark()
    finally:
        if opened:
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


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for address, (code, message) in exc.recipients.items()
        )[:1000]
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"[:1000]
    return (str(exc) or exc.__class__.__name__)[:1000]


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed try a row is due again: RETRY_FIRST (30 s),
    doubling, at most RETRY_MAX (30 minutes), with some jitter so many rows do not come back at
    the same moment."""
    seconds = min(RETRY_MAX.total_seconds(), RETRY_FIRST.total_seconds() * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.0))


def _renew(emails: list[Email], token, now: datetime) -> set[int]:
    """Renew this worker's lease on the rows it has not sent yet; the ids still ours."""
    still_ours = Email.objects.filter(
        id__in=[email.id for email in emails], claim_token=token, state=Email.State.SENDING
    )
    still_ours.update(lease_until=now + LEASE)
    return set(still_ours.values_list("id", flat=True))


def _finish(email: Email, token, state: str, *, error: str = "") -> None:
    fields = {"state": state, "last_error": error[:1000], "lease_until": None}
    if state == Email.State.SENT:
        fields["sent_at"] = timezone.now()
    Email.objects.filter(id=email.id, claim_token=token).update(**fields)
    email.state = state


def _retry_later(emails: list[Email], token, exc: Exception) -> int:
    """Put this worker's unsent rows back, due again after a backoff. Returns how many."""
    now = timezone.now()
    error = _describe(exc)
    count = 0
    for email in emails:
        count += Email.objects.filter(id=email.id, claim_token=token, state=Email.State.SENDING).update(
            state=Email.State.PENDING,
            claim_token=None,
            lease_until=None,
            queued_at=None,
            available_at=now + retry_delay(email.attempts),
            last_error=error,
        )
        email.state = Email.State.PENDING
    logger.warning("The mail server failed (%s); %d emails will be tried again", error, count)
    return count


@transaction.atomic
def email_send_again(*, email: Email, acting_user) -> bool:
    """Staff: try a failed email again, now. Returns False (changing nothing) for one that has not
    failed. Audited."""
    from accounts.services import audit_record

    changed = Email.objects.filter(pk=email.pk, state=Email.State.FAILED).update(
        state=Email.State.PENDING, available_at=timezone.now(), queued_at=None, claim_token=None
    )
    if changed:
        audit_record(actor=acting_user, action="outbox.email.sent_again", target=email)
        transaction.on_commit(lambda: hand_out(email_ids=[email.pk]), robust=True)
    return bool(changed)
