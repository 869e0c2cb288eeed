"""The emails after a session, written at send time from current data (see outbox.kinds): a
feedback request is not sent to someone who has answered already, whose attendance was undone,
or once the form has closed; the reminder to staff is not sent once an accessible version is
there."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from events.formatting import format_date, format_when
from events.guest_links import Guest, registrant_person, registration_token
from events.models import Event, Registration
from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email

from .links import feedback_url
from .selectors import (
    event_materials,
    existing_feedback,
    feedback_closes_at,
    feedback_is_open,
    feedback_may_answer,
    materials_need_accessible_version,
    materials_visible_to,
)
from .services import ACCESSIBLE_VERSION_MISSING, FEEDBACK_REQUEST


@email_kind(FEEDBACK_REQUEST, "Feedback on a session")
def _feedback_request_email(email: Email, shared: dict):
    registration = (
        Registration.objects.select_related("event", "user")
        .filter(pk=email.data.get("registration_id"))
        .first()
    )
    if registration is None or not feedback_may_answer(registration):
        return None
    event, person = registration.event, registrant_person(registration)
    if person is None or not getattr(person, "is_active", True):
        return None
    if email.to.lower() != person.email.lower() or not feedback_is_open(event):
        return None
    if existing_feedback(registration) is not None:
        return None  # they answered from the event page before this went
    viewer = registration.user if registration.user_id else AnonymousUser()
    has_materials = bool(event_materials(event=event)) and materials_visible_to(
        user=viewer, event=event, registration=registration
    )
    context = {
        "person": person,
        "is_guest": isinstance(person, Guest),
        # Their certificate, if the session gives them one: a guest's by the link signed as their
        # "your registration" link is, so someone added at the door by name gets one too.
        "registration": registration,
        "certificate_token": registration_token(registration_id=registration.pk, email=person.email)
        if isinstance(person, Guest)
        else "",
        "event": event,
        "when": format_when(event.start, event.end),
        "feedback_url": feedback_url(registration),
        "closes_on": format_date(feedback_closes_at(event)),
        # A guest finds the materials on the page their link opens; a member on the event page.
        "materials_url": (
            feedback_url(registration)
            if isinstance(person, Guest)
            else absolute_url(reverse("events:event-detail", args=[event.slug])) + "#materials"
        )
        if has_materials
        else "",
    }
    return email_build(template="followup-feedback-request", to=[person.email], context=context)


@email_kind(ACCESSIBLE_VERSION_MISSING, "Accessible version of materials missing (to staff)")
def _accessible_version_missing_email(email: Email, shared: dict):
    event = Event.objects.filter(pk=email.about_id).first()
    if event is None or not materials_need_accessible_version(event_materials(event=event)):
        return None
    return email_build(
        template="followup-accessible-version-missing",
        to=[email.to],
        context={
            "event": event,
            "when": format_when(event.start, event.end),
            "manage_url": absolute_url(reverse("followup:materials-manage", args=[event.slug])),
        },
    )
