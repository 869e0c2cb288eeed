"""Every change to a session's materials and feedback, and the emails they cause."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from events.models import Event, Registration
from loti_portal import versions
from outbox.models import Email
from outbox.services import enqueue, enqueue_many

from .models import FeedbackResponse, Material
from .selectors import (
    FEEDBACK_OPEN_DAYS,
    attendees_owed_feedback_request,
    materials_need_accessible_version,
)

logger = logging.getLogger(__name__)

FEEDBACK_REQUEST = "followup.feedback_request"
ACCESSIBLE_VERSION_MISSING = "followup.accessible_version_missing"
# Staff are reminded of a missing accessible version once the last material has been there this
# long, so a PDF uploaded a minute before the Word version does not cause an email.
ACCESSIBLE_REMINDER_AFTER = timedelta(days=1)


def feedback_request_dedup_key(registration_id: int) -> str:
    return f"followup.feedback:{registration_id}"


# --- materials ------------------------------------------------------------------------------


def material_add(
    *,
    event: Event,
    kind: str,
    title: str,
    acting_user: User,
    upload: UploadedFile | None = None,
    content_type: str = "",
    url: str = "",
    accessible: bool = False,
) -> Material:
    """Share one file (`upload`, already checked by MaterialForm) or one link with the people who
    may see the session's materials. Audited, in one transaction. The file is written to the
    private storage first and deleted again if the row cannot be saved, so no file is left that
    nothing names."""
    material = Material(
        event=event,
        kind=kind,
        title=title,
        url="" if upload else url,
        accessible=accessible,
        added_by=acting_user,
    )
    if upload is not None:
        material.filename = _safe_filename(upload.name)
        material.content_type = content_type
        material.size = upload.size
        material.file.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            material.save()
            versions.event_changed(slug=event.slug)  # its page lists the materials
            audit_record(
                actor=acting_user,
                action="followup.material.added",
                target=material,
                data={"event_id": event.pk, "kind": kind, "file": material.filename, "link": material.url},
            )
    except Exception:
        if material.file:
            material.file.storage.delete(material.file.name)
        raise
    return material


def _safe_filename(name: str) -> str:
    """The uploaded name without any folder, for the download's Content-Disposition."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    return base[:255]


@transaction.atomic
def material_remove(*, material: Material, acting_user: User) -> None:
    """Stop sharing a material; its file is deleted from storage once the change commits. Audited."""
    stored = material.file.name if material.file else ""
    audit_record(
        actor=acting_user,
        action="followup.material.removed",
        target=material,
        data={"event_id": material.event_id, "file": material.filename, "link": material.url},
    )
    material.delete()
    versions.event_changed(slug=material.event.slug)
    if stored:
        storage = Material._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(stored))


# --- feedback -------------------------------------------------------------------------------


@transaction.atomic
def feedback_save(
    *, registration: Registration, rating: int, what_worked: str, what_to_improve: str
) -> tuple[FeedbackResponse, bool]:
    """Record (or change) this attendee's answer about the session: one per registration. The
    caller checked that they may answer now (followup.selectors). Returns (answer, created)."""
    response, created = FeedbackResponse.objects.update_or_create(
        registration=registration,
        defaults={
            "event_id": registration.event_id,
            "user": registration.user,
            "rating": rating,
            "what_worked": what_worked.strip(),
            "what_to_improve": what_to_improve.strip(),
        },
    )
    if registration.user_id:
        versions.person_changed(user_id=registration.user_id)  # the event's page thanks them
    return response, created


@transaction.atomic
def feedback_requests_enqueue(*, event_id: int) -> int:
    """Owe each attendee of the session one feedback request (dedup key per registration), in
    one transaction. Safe to run twice, and for attendees checked in late: those already owed one
    are left out. Returns how many were written. Locks the event row, so two runs at once take
    turns and the second writes (and reports) none."""
    event = Event.objects.select_for_update().filter(pk=event_id, status=Event.Status.PUBLISHED).first()
    if event is None:
        return 0
    rows = [
        Email(
            kind=FEEDBACK_REQUEST,
            to=registration.user.email if registration.user_id else registration.guest_email,
            user=registration.user,
            about_type="events.event",
            about_id=event.pk,
            data={"registration_id": registration.pk},
            dedup_key=feedback_request_dedup_key(registration.pk),
        )
        for registration in attendees_owed_feedback_request(event=event)
    ]
    return enqueue_many(emails=rows)


@transaction.atomic
def accessible_version_reminders_enqueue(*, now: datetime | None = None) -> int:
    """Tell staff, once per session, about sessions that ended in the last FEEDBACK_OPEN_DAYS
    whose materials include a PDF but no accessible version, the last added more than
    ACCESSIBLE_REMINDER_AFTER ago. Safe to run twice. Returns how many emails were written."""
    now = now or timezone.now()
    candidates = (
        Event.objects.filter(
            status=Event.Status.PUBLISHED,
            end__lt=now,
            end__gte=now - timedelta(days=FEEDBACK_OPEN_DAYS),
            materials__isnull=False,
        )
        .annotate(last_added=Max("materials__created_at"))
        .filter(last_added__lt=now - ACCESSIBLE_REMINDER_AFTER)
        .distinct()
    )
    materials: dict[int, list[Material]] = {}
    for material in Material.objects.filter(event__in=candidates).order_by("id"):
        materials.setdefault(material.event_id, []).append(material)
    written = 0
    for event_id, shared in materials.items():
        if not materials_need_accessible_version(shared):
            continue
        written += bool(
            enqueue(
                kind=ACCESSIBLE_VERSION_MISSING,
                to=settings.STAFF_NOTIFICATION_EMAIL,
                about=shared[0].event,
                dedup_key=f"followup.accessible_version:{event_id}",
            )
        )
    return written
