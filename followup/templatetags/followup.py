from django import template
from django.utils import timezone

from events.models import Registration

from .. import selectors

register = template.Library()


@register.inclusion_tag("followup/includes/event_followup.html", takes_context=True)
def event_followup(context, event):
    """The event page's part after the session: its materials for those allowed
    (selectors.materials_visible_to), the attendee's feedback link, and staff's links. A fixed
    number of queries (at most four)."""
    request = context["request"]
    user = request.user
    registration = context.get("registration")
    if registration is None and user.is_authenticated:
        # The page passes only an active registration; an absent one is looked up once here.
        registration = Registration(event=event, status=Registration.Status.CANCELLED)
    visible = selectors.materials_visible_to(user=user, event=event, registration=registration)
    materials = selectors.event_materials(event=event) if visible else []
    feedback_open = False
    existing = None
    if registration is not None and registration.pk and selectors.feedback_may_answer(registration):
        feedback_open = selectors.feedback_is_open(event)
        existing = selectors.existing_feedback(registration) if feedback_open else None
    return {
        "event": event,
        "user": user,
        "materials": materials,
        "is_staff": user.is_authenticated and user.is_staff,
        "ended": event.end <= timezone.now(),
        "feedback_open": feedback_open,
        "existing_feedback": existing,
        "feedback_closes_at": selectors.feedback_closes_at(event),
    }
