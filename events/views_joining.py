"""The personal joining address: from 15 minutes before the start until the end it records that
the person joined and sends them on to the meeting link."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .joining import has_joinable_place, join_opens_at, registration_for_join_token
from .services.joining import registration_record_joined


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def event_join(request, token):
    # A GET records attendance because the address is opened from emails and calendars. Link
    # checkers that open links on delivery arrive long before the window, when nothing is recorded.
    registration = registration_for_join_token(token)
    if registration is None:
        return _private(render(request, "events/event_join.html", {"state": "unknown"}, status=404))
    event = registration.event
    context = {"event": event, "registration": registration, "opens_at": join_opens_at(event)}
    # A forwarded address must not mark the wrong person as attended (staff included: they
    # see the meeting link itself on the event page).
    if request.user.is_authenticated and request.user.pk != registration.user_id:
        state, status = "someone-else", 403
    elif not has_joinable_place(registration, event):
        state, status = "no-place", 404
    elif timezone.now() < context["opens_at"]:
        state, status = "not-yet", 200
    elif timezone.now() >= event.end:
        state, status = "ended", 200
    else:
        registration_record_joined(registration=registration)
        return _private(redirect(event.online_url))
    context["state"] = state
    return _private(render(request, "events/event_join.html", context, status=status))
