"""Pages for guests: people without an account, registering for a public session."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import calendar
from .forms import GuestRegistrationForm
from .guest_links import confirm_token_read, registration_token
from .joining import join_path
from .models import Event
from .selectors import (
    GuestLinkGone,
    answers_for_display,
    event_get_for_user,
    event_questions,
    guest_refusal_reason,
    guest_registration_for_certificate,
    guest_registration_for_token,
    places_left,
    places_left_by_mode,
    waitlist_rank,
)
from .services import RegistrationRefused, registration_cancel, registration_offer_accept
from .services.guests import guest_registration_confirm, guest_registration_delete, guest_registration_request
from .views import _calendar_response, _refused

# Rate limits (ACCOUNT_RATE_LIMITS, the same throttling as sign-in): per client address and per
# email address entered.
RATE_LIMIT_ACTION = "guest_registration"


def _guest_form_allowed(request, email: str) -> bool:
    """Count one guest form sent from this client address and for this email address; False
    once either is over its limit. The one place guest forms are throttled."""
    return ratelimit.consume(request, action=RATE_LIMIT_ACTION, key=email.strip().lower())


def _link_problem(request, *, status: int, title: str, text: str, event=None, context=None):
    return render(
        request,
        "events/guest_link_problem.html",
        {"title": title, "text": text, "event": event, **(context or {})},
        status=status,
    )


def _invalid_link(request, event=None):
    return _link_problem(
        request,
        status=404,
        title="This link is not valid",
        text="The link may have been copied wrongly. Check that you used the whole link from the email.",
        event=event,
    )


@require_http_methods(["GET", "POST"])
def guest_register(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    if request.user.is_authenticated:
        # Members register as members, under their account.
        return redirect("events:event-register", slug=event.slug)
    reason = guest_refusal_reason(event=event)
    if reason:
        return _refused(request, event, reason)
    # A hybrid session asks guests how they will attend, as it asks members.
    form = GuestRegistrationForm(
        request.POST if request.method == "POST" else None,
        questions=event_questions(event=event),
        modes=places_left_by_mode(event) if event.is_hybrid else None,
    )
    if request.method == "POST":
        if form.is_bot:
            # Said to have worked, so a bot learns nothing; nothing is sent or kept.
            return redirect("events:guest-register-sent", slug=event.slug)
        if form.is_valid():
            if not _guest_form_allowed(request, form.cleaned_data["email"]):
                return render(request, "events/guest_register_throttled.html", {"event": event}, status=429)
            try:
                guest_registration_request(
                    event=event,
                    full_name=form.cleaned_data["full_name"],
                    email=form.cleaned_data["email"],
                    answers=form.answers(),
                    access_needs=form.cleaned_data["access_needs"],
                    mode=form.mode(),
                )
            except RegistrationRefused as refused:
                return _refused(request, event, str(refused))
            return redirect("events:guest-register-sent", slug=event.slug)
    return render(
        request,
        "events/guest_register.html",
        {"event": event, "form": form, "places_left": places_left(event)},
    )


@require_GET
def guest_register_sent(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    return render(request, "events/guest_register_sent.html", {"event": event})


@require_http_methods(["GET", "POST"])
def guest_confirm(request, slug, token):
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""
    event = event_get_for_user(user=request.user, slug=slug)
    try:
        guest = confirm_token_read(token)
    except signing.SignatureExpired:
        return _link_problem(
            request,
            status=410,
            title="This link has expired",
            text="Links to confirm a registration work for 48 hours. Fill in the form again to get "
            "a new one.",
            event=event,
        )
    except signing.BadSignature:
        return _invalid_link(request, event)
    if guest.event_id != event.pk:
        return _invalid_link(request, event)
    if request.method == "POST":
        try:
            registration = guest_registration_confirm(request=guest)
        except RegistrationRefused as refused:
            return _refused(request, event, str(refused))
        token = registration_token(registration_id=registration.pk, email=registration.guest_email)
        return redirect("events:guest-registration", slug=event.slug, token=token)
    return render(
        request,
        "events/guest_confirm.html",
        {
            "event": event,
            "guest": guest,
            "places_left": places_left(event),
        },
    )


def _registration_or_problem(request, slug, token):
    try:
        return guest_registration_for_token(slug=slug, token=token), None
    except GuestLinkGone as gone:
        # After a training session the link still gives an attendee their certificate.
        certificate = {
            "certificate_registration": guest_registration_for_certificate(slug=slug, token=token),
            "certificate_token": token,
        }
        return None, _link_problem(
            request, status=410, title="This link no longer works", text=str(gone), context=certificate
        )
    except Http404:
        return None, _invalid_link(request)


@require_GET
def guest_registration(request, slug, token):
    registration, problem = _registration_or_problem(request, slug, token)
    if problem:
        return problem
    event = registration.event
    response = render(
        request,
        "events/guest_registration.html",
        {
            "event": event,
            "registration": registration,
            "token": token,
            "waitlist_rank": waitlist_rank(registration),
            "answers": answers_for_display(registration=registration, questions=event_questions(event=event)),
            "show_online_link": registration.holds_place
            and event.status != Event.Status.CANCELLED
            and bool(event.online_url),
            # The guest's own joining address, so a changed meeting link needs no new email.
            "join_url": join_path(registration),
            "signup_url": reverse("account_signup"),
            "retention_days": settings.ANSWER_RETENTION_DAYS,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    # The address holds the link's secret: never sent to another site (the online joining link).
    # Not "no-referrer", which makes the browser send "Origin: null" and fail the CSRF check.
    response["Referrer-Policy"] = "same-origin"
    return response


@require_GET
def guest_registration_ics(request, slug, token):
    registration, problem = _registration_or_problem(request, slug, token)
    if problem:
        return problem
    if registration.holds_place and registration.event.status != Event.Status.CANCELLED:
        content = calendar.invitation_ics(registration=registration, method="REQUEST")
    else:
        content = calendar.event_ics(event=registration.event)
    return _calendar_response(content, filename=calendar.filename_for(registration.event))


@require_POST
def guest_registration_cancel_view(request, slug, token):
    return _change_from_link(
        request,
        slug,
        token,
        change=registration_cancel,
        done="Your registration for {title} has been cancelled.",
    )


@require_POST
def guest_registration_accept_view(request, slug, token):
    """A guest at the front of the waiting list takes the place offered to them."""
    return _change_from_link(
        request,
        slug,
        token,
        change=registration_offer_accept,
        done="The place is yours: you are going to {title}.",
    )


def _change_from_link(request, slug, token, *, change, done: str):
    """Make `change` (a registration service) to the guest's registration the link names, and go
    back to their registration's page, saying it is done (`done`, with the event's `{title}`) or
    why it was refused."""
    registration, problem = _registration_or_problem(request, slug, token)
    if problem:
        return problem
    try:
        change(registration=registration, acting_user=None)
    except RegistrationRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done.format(title=registration.event.title))
    return redirect("events:guest-registration", slug=slug, token=token)


@require_POST
def guest_registration_delete_view(request, slug, token):
    registration, problem = _registration_or_problem(request, slug, token)
    if problem:
        return problem
    event = registration.event
    guest_registration_delete(registration=registration)
    return render(request, "events/guest_registration_deleted.html", {"event": event})
