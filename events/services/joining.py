"""Recording that a person joined a session online through their joining address."""

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record
from loti_portal import versions

from ..models import Registration

Status = Registration.Status


@transaction.atomic
def registration_record_joined(*, registration: Registration) -> bool:
    """Record that the person joined: the first time, `joined_at` is set and a confirmed place
    (or one marked as a no-show) becomes attended, with an audit entry.

    Locks the registration row. Safe to call again: later joins change nothing and return False.
    The caller checks the joining window (events.joining.join_is_open) and that the person holds
    a place.
    """
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if registration.joined_at is not None or not registration.holds_place:
        return False
    registration.joined_at = timezone.now()
    fields = ["joined_at", "updated_at"]
    if registration.status != Status.ATTENDED:
        registration.status = Status.ATTENDED
        fields.append("status")
    registration.save(update_fields=fields)
    # Their place is taken up: "Your events" and the event's page no longer offer to cancel it.
    versions.event_registrations_changed(slug=registration.event.slug)
    audit_record(
        actor=registration.user,
        action="events.registration.joined_online",
        target=registration,
        data={"event_id": registration.event_id},
    )
    return True
