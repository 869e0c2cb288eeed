"""Staff's changes to events: saving from admin (and telling registrants what affects them),
cancelling, duplicating, messaging registrants and exporting attendee lists."""

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from accounts.services import audit_record
from loti_portal import versions
from loti_portal.markdown import render_markdown
from networks.models import Network

from .. import emails
from ..models import Event, EventMessage, Question, Registration, Speaker
from ..selectors import event_attendee_rows
from .counts import COUNT_FIELDS, event_counts_refresh
from .notifications import notifications_queue
from .registration import waitlist_fill_free_places

# A change to any of these on a published event sends every registrant an updated invitation.
SCHEDULE_FIELDS = ("start", "end", "venue", "online_url")
_NOT_COPIED = {"id", "slug", "title", "status", "sequence", "created_at", "updated_at", *COUNT_FIELDS}


def _pages_changed(event: Event, previous: Event | None = None) -> None:
    """Its pages at its address (old and new) and its network's (old and new) are drawn afresh."""
    slugs = {event.slug, previous.slug if previous else event.slug}
    network_ids = {event.network_id, previous.network_id if previous else None} - {None}
    network_slugs = (
        Network.objects.filter(pk__in=network_ids).values_list("slug", flat=True) if network_ids else []
    )
    versions.events_changed(slugs=slugs, network_slugs=list(network_slugs))


@transaction.atomic
def event_save(*, event: Event, acting_user: User | None) -> Event:
    """Save an event created or changed by staff, and tell registrants what affects them.

    - the time or place of a published event changes, or a cancelled event is published again:
      SEQUENCE goes up and every registrant is emailed (people with a place get an updated
      METHOD:REQUEST invitation);
    - the event is cancelled: SEQUENCE goes up and every registrant is emailed (people with a
      place get METHOD:CANCEL);
    - the capacity of a published event goes up (or is removed): people waiting get the new
      places, in order.
    Locks the event row; emails go after commit.
    """
    if event.pk is None:
        event.sequence = 0
        event.description_html = render_markdown(event.description)
        event.save()
        _pages_changed(event)
        audit_record(actor=acting_user, action="events.event.created", target=event)
        return event

    previous = Event.objects.select_for_update().get(pk=event.pk)
    changed_fields = [
        field.name
        for field in Event._meta.concrete_fields
        if field.name not in ("updated_at", "sequence", *COUNT_FIELDS)
        and getattr(previous, field.attname) != getattr(event, field.attname)
    ]
    is_published = event.status == Event.Status.PUBLISHED
    cancelled = previous.status != Event.Status.CANCELLED and event.status == Event.Status.CANCELLED
    reinstated = previous.status == Event.Status.CANCELLED and is_published
    rescheduled = (
        previous.status == Event.Status.PUBLISHED
        and is_published
        and any(name in changed_fields for name in SCHEDULE_FIELDS)
    )
    event.sequence = previous.sequence + (1 if cancelled or reinstated or rescheduled else 0)
    if changed_fields and event.occurrence_date is not None:
        # A generated meeting staff changed: a later change of cadence leaves it as it is.
        event.staff_edited = True
    event.description_html = render_markdown(event.description)
    event.save()
    _pages_changed(event, previous)

    if changed_fields:
        audit_record(
            actor=acting_user, action="events.event.changed", target=event, data={"fields": changed_fields}
        )
    if cancelled:
        audit_record(actor=acting_user, action="events.event.cancelled", target=event)
        _tell_registrants(event, kind=emails.EVENT_CANCELLED, calendar_method="CANCEL")
    elif reinstated or rescheduled:
        _tell_registrants(event, kind=emails.EVENT_CHANGED, calendar_method="REQUEST")
    if is_published and {"capacity", "online_capacity", "mode"} & set(changed_fields):
        waitlist_fill_free_places(event=event, acting_user=acting_user, trigger="capacity")
    # The form's copy of the counts may be older than the registrations: count them again.
    event_counts_refresh(event_id=event.pk)
    return event


def _tell_registrants(event: Event, *, kind: str, calendar_method: str) -> None:
    registrations = Registration.objects.filter(
        event=event, status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
    ).select_related("user")
    notifications_queue(
        items=(
            (
                registration,
                kind,
                calendar_method if registration.status == Registration.Status.CONFIRMED else "",
            )
            for registration in registrations
        )
    )


def event_cancel(*, event: Event, acting_user: User | None) -> Event:
    """Cancel an event and tell its registrants (see event_save). Cancelling twice is harmless."""
    event = Event.objects.get(pk=event.pk)
    event.status = Event.Status.CANCELLED
    return event_save(event=event, acting_user=acting_user)


def _unique_slug(base: str) -> str:
    base = base[:200]
    slug, number = base, 1
    while Event.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def event_duplicate(*, event: Event, acting_user: User | None) -> Event:
    """A draft copy of an event with its speakers and questions, not its registrations."""
    copy = Event(
        **{
            field.attname: getattr(event, field.attname)
            for field in Event._meta.concrete_fields
            if field.name not in _NOT_COPIED
        }
    )
    copy.title = f"{event.title} (copy)"[:200]
    copy.slug = _unique_slug(f"{event.slug}-copy")
    copy.status = Event.Status.DRAFT
    copy.sequence = 0
    copy.save()
    Speaker.objects.bulk_create(
        Speaker(event=copy, name=s.name, organisation=s.organisation, role=s.role, position=s.position)
        for s in event.speakers.all()
    )
    Question.objects.bulk_create(
        Question(
            event=copy,
            text=q.text,
            hint=q.hint,
            kind=q.kind,
            options=q.options,
            required=q.required,
            position=q.position,
        )
        for q in event.questions.all()
    )
    audit_record(
        actor=acting_user, action="events.event.duplicated", target=copy, data={"copied_from": event.slug}
    )
    return copy


_RECIPIENT_STATUSES = {
    EventMessage.Recipients.CONFIRMED: [Registration.Status.CONFIRMED],
    EventMessage.Recipients.WAITLISTED: [Registration.Status.WAITLISTED],
    EventMessage.Recipients.BOTH: [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
}


@transaction.atomic
def event_message_registrants(
    *, event: Event, recipients: str, subject: str, body: str, acting_user: User | None
) -> int:
    """Email staff's message to the event's confirmed registrants, the people waiting, or both.
    Returns how many people it goes to; the emails go after commit."""
    message = EventMessage.objects.create(
        event=event, recipients=recipients, subject=subject.strip(), body=body.strip(), sent_by=acting_user
    )
    registrations = Registration.objects.filter(
        event=event, status__in=_RECIPIENT_STATUSES[recipients]
    ).select_related("user", "event")
    notifications = notifications_queue(
        items=((registration, emails.MESSAGE, "") for registration in registrations),
        message=message,
    )
    audit_record(
        actor=acting_user,
        action="events.event.messaged",
        target=event,
        data={"message": message.pk, "recipients": recipients, "count": len(notifications)},
    )
    return len(notifications)


@transaction.atomic
def event_attendees_export(*, events: QuerySet[Event], acting_user: User | None) -> tuple[list, list]:
    """The attendee list of the events (see selectors.event_attendee_rows); records who took it."""
    header, rows = event_attendee_rows(events=events)
    for event in events:
        audit_record(actor=acting_user, action="events.event.attendees_exported", target=event)
    return header, rows
