"""Someone waiting who is offered a freed place accepts or declines it with one button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .selectors import active_registration_for_user, waitlist_rank
from .services import RegistrationRefused, registration_cancel, registration_offer_accept


@login_required
@require_http_methods(["GET", "POST"])
def event_offer(request, slug):
    registration = active_registration_for_user(user=request.user, slug=slug)
    event = registration.event
    if registration.status == registration.Status.CONFIRMED:
        return redirect("events:event-registered", slug=event.slug)
    context = {
        "event": event,
        "registration": registration,
        "waitlist_rank": waitlist_rank(registration),
        "error": "",
    }
    if request.method == "POST" and registration.has_offer:
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                registration_offer_accept(registration=registration, acting_user=request.user)
                messages.success(request, f"The place is yours: you are going to {event.title}.")
                return redirect("events:event-registered", slug=event.slug)
            if answer == "decline":
                registration_cancel(registration=registration, acting_user=request.user)
                messages.success(
                    request, f"You have declined the place at {event.title} and left the waiting list."
                )
                return redirect("events:my-events")
        except RegistrationRefused as refused:
            context["error"] = str(refused)
        else:
            context["error"] = "Choose whether to accept or decline the place."
        return render(request, "events/event_offer.html", context, status=400)
    return render(request, "events/event_offer.html", context)
