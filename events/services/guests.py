"""Registrations of guests: people without an account, at a public session.

A guest fills in the form and is sent a confirmation link (events.guest_links); nothing about
them is stored until they follow it. Confirming takes a place or a waiting-list position by the
same locked rule as members (registration.registration_place). Cancelling is
registration_cancel, as for members.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from outbox.services import enqueue

from .. import emails
from ..guest_links import GuestRequest, confirm_token
from ..models import Event, Registration
from ..selectors import guest_refusal_reason
from .counts import event_counts_refresh
from .registration import (
    CHECK_IN_OPENS_BEFORE,
    RegistrationRefused,
    _lock_event,
    registration_cancel,
    registration_place,
)


@transaction.atomic
def guest_registration_request(
    *, event: Event, full_name: str, email: str, answers: dict, access_needs: str, mode: str = ""
) -> None:
    """Email the guest a link to confirm their registration. Stores nothing else: the link
    carries the form, with `mode` (in person or online) for a hybrid session. The same happens
    whether or not the address already registered (the page and the email say the same either
    way), so the form tells nobody who is coming.
    Raises RegistrationRefused when the session takes no guests now."""
    reason = guest_refusal_reason(event=event)
    if reason:
        raise RegistrationRefused(reason)
    request = GuestRequest(
        event_id=event.pk,
        full_name=full_name.strip(),
        email=email.strip(),
        answers=answers,
        access_needs=access_needs.strip(),
        mode=mode if event.is_hybrid else "",
    )
    enqueue(
        kind=emails.GUEST_CONFIRM,
        to=request.email,
        about=event,
        data={"token": confirm_token(request), "event_slug": event.slug},
    )


@transaction.atomic
def guest_registration_confirm(*, request: GuestRequest) -> Registration:
    """Register the guest a confirmation link names: a place if one is free, else the waiting
    list, with the event locked. Idempotent: following the link again (or a second request from
    the same address) gives back the registration that is already active, unchanged; a cancelled
    one is reused. Raises RegistrationRefused, storing nothing, when the session takes no guests
    now. Emails the guest after commit."""
    event = _lock_event(request.event_id)
    registration = Registration.objects.filter(
        event=event, user__isnull=True, guest_email__iexact=request.email
    ).first()
    if registration is not None and registration.is_active:
        return registration
    reason = guest_refusal_reason(event=event)
    if reason:
        raise RegistrationRefused(reason)
    if registration is None:
        registration = Registration(event=event, guest_email=request.email.lower())
    registration.guest_name = request.full_name
    registration.access_needs = request.access_needs
    return registration_place(
        event=event,
        registration=registration,
        answers=request.answers,
        acting_user=None,
        # A link from before the session became hybrid carries no choice: in person, as then.
        mode=request.mode or Registration.Mode.IN_PERSON,
    )


@transaction.atomic
def guest_registration_delete(*, registration: Registration) -> None:
    """The guest's own "delete my details": cancel the registration if it is still active (a
    freed place goes to the next person waiting, as for any cancellation), then delete the row,
    with their name, email, answers and access needs. The audit entry keeps no personal data."""
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    waiting_or_placed = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
    if registration.status in waiting_or_placed and timezone.now() < registration.event.start:
        registration = registration_cancel(registration=registration, acting_user=None)
    event = _lock_event(registration.event_id)
    # Emails still owed about it (the cancellation) find no registration and are not sent.
    registration.delete()
    event_counts_refresh(event_id=event.pk)
    audit_record(actor=None, action="events.registration.guest_deleted", target=event, data={})


@transaction.atomic
def guest_registrations_claim(*, user: User, email: str) -> int:
    """Move the guest registrations made with this (now confirmed) address to the person's
    account, so they appear in "Your events". A session the account already has a registration
    for keeps the guest's as it is. Returns how many moved."""
    taken = Registration.objects.filter(user=user).values("event_id")
    claimed = list(
        Registration.objects.select_for_update()
        .filter(user__isnull=True, guest_email__iexact=email)
        .exclude(event_id__in=taken)
    )
    for registration in claimed:
        registration.user = user
        registration.guest_email = ""
        registration.guest_name = ""
        registration.save(update_fields=["user", "guest_email", "guest_name", "updated_at"])
        audit_record(
            actor=user,
            action="events.registration.claimed",
            target=registration,
            data={"event_id": registration.event_id},
        )
    return len(claimed)


@transaction.atomic
def guest_walk_in_add(*, event: Event, full_name: str, email: str, acting_user: User | None) -> Registration:
    """Someone without an account came without a place: staff check them in by name (and email,
    if they give one). They are a guest registration marked attended, so they count among the
    places taken (nobody waiting is given a place they fill) whatever the capacity, since they are
    in the room. A guest already registered with that email is checked in as they are. Locks the
    event row; emails nobody. Raises RegistrationRefused before check-in opens."""
    event = _lock_event(event.pk)
    if timezone.now() < event.start - CHECK_IN_OPENS_BEFORE:
        raise RegistrationRefused(f"{event} has not started yet: check-in opens an hour before.")
    email = email.strip().lower()
    registration = None
    if email:
        registration = Registration.objects.filter(
            event=event, user__isnull=True, guest_email__iexact=email
        ).first()
    if registration is not None and registration.status == Registration.Status.ATTENDED:
        return registration
    if registration is None:
        registration = Registration(event=event, guest_email=email)
    registration.guest_name = full_name.strip() or registration.guest_name
    registration.status = Registration.Status.ATTENDED
    registration.mode = Registration.Mode.IN_PERSON if event.is_hybrid else ""
    registration.waitlist_position = None
    registration.offer_expires_at = None
    registration.cancelled_at = None
    registration.save()
    event_counts_refresh(event_id=event.pk)
    audit_record(
        actor=acting_user,
        action="events.registration.walk_in",
        target=registration,
        data={"event": event.slug, "guest": True},
    )
    return registration
