"""The emails about sessions and registrations, written at send time from current data (see
outbox.kinds): a confirmation queued just before the person cancelled is not sent, and an update
says the time the event has when it goes out."""

from django.urls import reverse

from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email

from .calendar import invitation_ics
from .formatting import format_datetime, format_when
from .guest_links import GUEST_CONFIRM_HOURS, Guest, confirm_url, registrant_person, registration_url
from .joining import join_address
from .models import Event, EventMessage, Invitation, Registration
from .selectors import waitlist_rank

CONFIRMED = "events.confirmed"
WAITLISTED = "events.waitlisted"
PROMOTED = "events.promoted"
CANCELLED = "events.cancelled"
EVENT_CHANGED = "events.event_changed"
EVENT_CANCELLED = "events.event_cancelled"
MESSAGE = "events.message"
INVITATION = "events.invitation"
GUEST_CONFIRM = "events.guest_confirm"
REMINDER = "events.reminder"
OFFERED = "events.offered"
OFFER_LAPSED = "events.offer_lapsed"

_TEMPLATES = {
    CONFIRMED: "events-registration-confirmed",
    WAITLISTED: "events-registration-waitlisted",
    PROMOTED: "events-registration-promoted",
    CANCELLED: "events-registration-cancelled",
    EVENT_CHANGED: "events-event-changed",
    EVENT_CANCELLED: "events-event-cancelled",
    MESSAGE: "events-message",
    OFFERED: "events-registration-offered",
    OFFER_LAPSED: "events-registration-offer-lapsed",
}
_LABELS = {
    CONFIRMED: "Place confirmed",
    WAITLISTED: "Added to the waiting list",
    PROMOTED: "Given a place from the waiting list",
    CANCELLED: "Registration cancelled",
    EVENT_CHANGED: "Time or place changed",
    EVENT_CANCELLED: "Event cancelled",
    MESSAGE: "Message from the organisers",
    OFFERED: "Offered a place from the waiting list",
    OFFER_LAPSED: "Offer of a place lapsed",
}
# Which registrations each kind still applies to when it is sent.
_STILL_APPLIES = {
    CONFIRMED: {Registration.Status.CONFIRMED},
    PROMOTED: {Registration.Status.CONFIRMED},
    WAITLISTED: {Registration.Status.WAITLISTED},
    CANCELLED: {Registration.Status.CANCELLED},
    EVENT_CHANGED: {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED},
    EVENT_CANCELLED: {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED},
    MESSAGE: set(Registration.ACTIVE_STATUSES),
    OFFERED: {Registration.Status.WAITLISTED},
    OFFER_LAPSED: {Registration.Status.CANCELLED},
}
_SENT_FOR_CANCELLED_EVENT = {EVENT_CANCELLED, MESSAGE}
# Kinds that report the person's own registration: when several are waiting, only the latest goes.
REGISTRATION_KINDS = [CONFIRMED, WAITLISTED, PROMOTED, CANCELLED, OFFERED, OFFER_LAPSED]


def registrant_email_data(*, registration: Registration, calendar_method: str, message=None) -> dict:
    data = {"registration_id": registration.pk, "calendar_method": calendar_method}
    if message is not None:
        data["message_id"] = message.pk
    return data


def _registrant_email(email: Email, shared: dict):
    registration = (
        Registration.objects.select_related("event", "user")
        .filter(pk=email.data.get("registration_id"))
        .first()
    )
    if registration is None or not _applies(email, registration):
        return None
    event, person = registration.event, registrant_person(registration)
    method = email.data.get("calendar_method", "")
    message = None
    if email.kind == MESSAGE:
        message = EventMessage.objects.filter(pk=email.data.get("message_id")).first()
        if message is None:
            return None
    has_place = registration.holds_place and event.status != Event.Status.CANCELLED
    guest_url = registration_url(registration) if registration.is_guest else ""
    context = {
        "person": person,
        "event": event,
        "registration": registration,
        "when": format_when(event.start, event.end),
        "event_url": absolute_url(reverse("events:event-detail", args=[event.slug])),
        # A guest manages their registration from its signed link; a member from "Your events".
        "my_events_url": guest_url or absolute_url(reverse("events:my-events")),
        "is_guest": registration.is_guest,
        # Every email to someone waiting leads straight to leaving the list, or to their offer.
        "leave_url": guest_url or absolute_url(reverse("events:event-cancel", args=[event.slug])),
        "offer_url": guest_url or absolute_url(reverse("events:event-offer", args=[event.slug])),
        "events_url": absolute_url(reverse("events:event-list")),
        # The person's own joining address, so a changed meeting link needs no new email.
        "online_link": join_address(registration) if has_place and event.online_url else "",
        "has_place": has_place,
        "waitlist_rank": waitlist_rank(registration),
        "offer_until": format_datetime(offer) if (offer := registration.offer_expires_at) else "",
        "message": message,
        "calendar_method": method,
    }
    attachments = []
    if method:
        content = invitation_ics(registration=registration, method=method)
        name = "invitation.ics" if method == "REQUEST" else "cancellation.ics"
        attachments.append((name, content, f"text/calendar; method={method}"))
    return email_build(
        template=_TEMPLATES[email.kind], to=[person.email], context=context, attachments=attachments
    )


def _applies(email: Email, registration: Registration) -> bool:
    person = registrant_person(registration)
    if person is None or not getattr(person, "is_active", True):
        return False
    if isinstance(person, Guest) and email.to.lower() != person.email.lower():
        return False  # written to the guest at an address the registration no longer has
    if (
        registration.event.status == Event.Status.CANCELLED
        and email.kind not in _SENT_FOR_CANCELLED_EVENT
        and email.data.get("calendar_method") != "CANCEL"
    ):
        return False
    if registration.status not in _STILL_APPLIES[email.kind]:
        return False
    if email.kind in REGISTRATION_KINDS:
        return not Email.objects.filter(
            about_type="events.event",
            about_id=registration.event_id,
            kind__in=REGISTRATION_KINDS,
            data__registration_id=registration.pk,
            pk__gt=email.pk,
        ).exists()
    return True


for _kind, _label in _LABELS.items():
    email_kind(_kind, _label)(_registrant_email)


@email_kind(INVITATION, "Invitation to a session")
def _invitation_email(email: Email, shared: dict):
    """Nothing to invite to any more (the session is a draft, cancelled or over, or the
    invitation was withdrawn): not sent."""
    from django.utils import timezone

    invitation = Invitation.objects.select_related("event").filter(pk=email.data.get("invitation_id")).first()
    if invitation is None:
        return None
    event = invitation.event
    if event.status != Event.Status.PUBLISHED or event.start <= timezone.now():
        return None
    return email_build(
        template="events-invitation",
        to=[invitation.email],
        context={
            "event": event,
            "when": format_when(event.start, event.end),
            "event_url": absolute_url(reverse("events:event-detail", args=[event.slug])),
            "signup_url": absolute_url(reverse("account_signup")),
        },
    )


@email_kind(REMINDER, "Reminder of a meeting or session")
def _reminder_email(email: Email, shared: dict):
    from .reminders import reminder_email_for

    return reminder_email_for(email=email, shared=shared)


@email_kind(GUEST_CONFIRM, "Confirm a guest registration")
def _guest_confirm_email(email: Email, shared: dict):
    """The link a guest follows to confirm. Not sent once the session takes no registrations."""
    from .selectors import guest_refusal_reason

    event = Event.objects.filter(pk=email.about_id).first()
    if event is None or guest_refusal_reason(event=event):
        return None
    return email_build(
        template="events-guest-confirm",
        to=[email.to],
        context={
            "event": event,
            "when": format_when(event.start, event.end),
            "confirm_url": confirm_url(slug=event.slug, token=email.data["token"]),
            "event_url": absolute_url(reverse("events:event-detail", args=[event.slug])),
            "hours": GUEST_CONFIRM_HOURS,
        },
    )
