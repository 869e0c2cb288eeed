from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loti_portal.utils import absolute_url, content_digest
from loti_portal.versions import EVENT_DETAILS, PEOPLE_NAMES, cached_page

from . import calendar
from .cards import card_live_part_ids, card_live_parts
from .detail_page import event_page_parts
from .feed_sources import personal_feed_components
from .forms import EventFilterForm, RegistrationForm
from .joining import calendar_online_link, has_joinable_place, join_now_path, join_path
from .pagination import pagination_html
from .selectors import (
    active_registration_for_user,
    answers_for_display,
    calendar_feed_entries,
    calendar_feed_for_user,
    calendar_feed_owner,
    calendar_feed_version,
    can_see_online_link,
    event_get_for_user,
    event_get_to_register,
    event_list_page_for_user,
    event_listing_summary,
    event_live_cards_by_id,
    event_questions,
    event_who_is_coming,
    guest_refusal_reason,
    my_events_for_user,
    network_feed_entries,
    places_left,
    places_left_by_mode,
    public_sessions_upcoming,
    registration_for_user,
    registration_refusal_reason,
    waitlist_rank,
)
from .selectors_detail import event_page_for_user
from .selectors_personal import my_event_slugs
from .services import RegistrationRefused, calendar_feed_regenerate, registration_cancel, registration_create

# The furthest page anyone can ask for: page numbers name cached listings, so the set of them is
# fixed whatever a visitor types (a number past the last page shows the last page).
MAX_PAGE_NUMBER = 500
# Calendar apps poll a feed every few minutes to hours; more than this per minute is not one.
FEED_REQUESTS_PER_MINUTE = 20
FEED_CACHE_SECONDS = 60 * 60


def page_number_from(raw) -> int:
    """A page number from ?page=: a whole number from 1 to MAX_PAGE_NUMBER, 1 for anything else."""
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE_NUMBER)


@require_GET
def event_list(request, past=False):
    # Kept under what only editing events changes; what registering changes is filled in afresh.
    return cached_page(
        request,
        partial(_event_list, request, past),
        lists=[EVENT_DETAILS],
        live=partial(_event_list_live_parts, request),
    )


def _event_list_live_parts(request, names: list[str]) -> dict[str, str]:
    """The cards' places left and the person's own status, read afresh in one query."""
    cards = event_live_cards_by_id(user=request.user, ids=card_live_part_ids(names))
    return card_live_parts(cards, names)


def _event_list(request, past):
    now = timezone.now()
    summary = event_listing_summary(user=request.user, now=now)
    form, filters, has_errors = None, {}, False
    if any(name in request.GET for name in EventFilterForm.FILTERS):
        form = EventFilterForm(request.GET, networks=summary.networks, programmes=summary.programmes)
        has_errors = not form.is_valid()
        filters = form.filters()
        form_fields = form.fields_html(show_errors=has_errors)
    else:
        form_fields = EventFilterForm.blank_fields_html(
            networks=summary.networks, programmes=summary.programmes
        )
    page = event_list_page_for_user(
        user=request.user,
        page_number=page_number_from(request.GET.get("page")),
        summary=summary,
        past=past,
        now=now,
        **filters,
    )
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    # Someone signed out may well be from outside local government: sessions open to everyone first.
    open_to_everyone = (
        public_sessions_upcoming(now=now)
        if not request.user.is_authenticated and not past and not filters
        else []
    )
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "has_errors": has_errors,
            "page": page,
            "pagination": pagination_html(page, page_numbers, request.GET),
            "past": past,
            "open_to_everyone": open_to_everyone,
            "form_fields": form_fields,
        },
    )


@require_GET
def event_detail(request, slug):
    return cached_page(request, partial(_event_detail, request, slug), events=[slug], lists=[PEOPLE_NAMES])


def _event_detail(request, slug):
    page = event_page_for_user(user=request.user, slug=slug)
    event, registration = page.event, page.registration
    user = request.user
    refusal = guest_refusal = None
    if user.is_authenticated and not (registration and registration.is_active):
        refusal = registration_refusal_reason(event=event, user=user)
    elif not user.is_authenticated:
        guest_refusal = guest_refusal_reason(event=event)
    active = registration if registration and registration.is_active else None
    share_url = absolute_url(reverse("events:event-detail", args=[event.slug]))
    parts = event_page_parts(
        event=event,
        registration=active,
        user=user,
        path=request.path,
        contact_email=settings.CONTACT_EMAIL,
        refusal=refusal,
        guest_refusal=guest_refusal,
        share_url=share_url,
        registration_open=event.is_open_for_registration(),
        places_left=places_left(event),
        show_online_link=can_see_online_link(event=event, user=user, registration=registration),
        waitlist_rank=waitlist_rank(registration) if registration else None,
        who_is_coming=event_who_is_coming(event=event, user=user, registration=registration),
        # The person's own joining address (and "Join now" while it is open), never another's.
        join_address=join_path(registration) if has_joinable_place(registration, event) else "",
        join_now_url=join_now_path(registration, event),
    )
    context = {
        "event": event,
        "registration": active,
        "share_url": share_url,
        "parts": parts,
    }
    return render(request, "events/event_detail.html", context)


def _refused(request, event, reason):
    context = {"event": event, "reason": reason}
    return render(request, "events/event_register_refused.html", context, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def event_register(request, slug):
    posted = request.method == "POST"
    event = (event_get_to_register if posted else event_get_for_user)(user=request.user, slug=slug)
    form = None
    if posted:
        # The service decides a valid post under the event's lock: it refuses someone who may not
        # register and gives back a registration the person already has. The checks below are
        # for a form drawn again.
        form = _registration_form(request.POST, event)
        if form.is_valid():
            try:
                registration_create(
                    event=event,
                    user=request.user,
                    answers=form.answers(),
                    acting_user=request.user,
                    mode=form.mode(),
                )
            except RegistrationRefused as refused:
                return _refused(request, event, str(refused))
            return redirect("events:event-registered", slug=event.slug)
        event = event_get_for_user(user=request.user, slug=slug)  # the form again, with places left
    registration = registration_for_user(event=event, user=request.user)
    if registration is not None and registration.is_active:
        return redirect("events:event-registered", slug=event.slug)
    reason = registration_refusal_reason(event=event, user=request.user)
    if reason:
        return _refused(request, event, reason)
    return render(
        request,
        "events/event_register.html",
        {"event": event, "form": form or _registration_form(None, event), "places_left": places_left(event)},
    )


def _registration_form(data, event) -> RegistrationForm:
    return RegistrationForm(
        data,
        questions=event_questions(event=event),
        modes=places_left_by_mode(event) if event.is_hybrid else None,
    )


@login_required
@require_GET
def event_registered(request, slug):
    registration = active_registration_for_user(user=request.user, slug=slug)
    event = registration.event
    questions = event_questions(event=event)
    show_online_link = can_see_online_link(event=event, user=request.user, registration=registration)
    return render(
        request,
        "events/event_registered.html",
        {
            "event": event,
            "registration": registration,
            "waitlist_rank": waitlist_rank(registration),
            "answers": answers_for_display(registration=registration, questions=questions),
            "show_online_link": show_online_link,
            "join_address": join_path(registration) if has_joinable_place(registration, event) else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request, slug):
    posted = request.method == "POST"
    registration = active_registration_for_user(user=request.user, slug=slug, to_change=posted)
    event = registration.event
    if posted:
        try:
            registration_cancel(registration=registration, acting_user=request.user)
        except RegistrationRefused as refused:
            messages.error(request, str(refused))
            return redirect("events:event-detail", slug=event.slug)
        messages.success(request, f"Your registration for {event.title} has been cancelled.")
        return redirect("events:my-events")
    return render(request, "events/event_cancel.html", {"event": event, "registration": registration})


@login_required
@require_GET
def my_events(request):
    # Kept under the versions of the events it shows (a registration's change renews its event's)
    # and the person's, not the lists of events: registrations elsewhere do not draw it again.
    return cached_page(request, partial(_my_events, request), events=my_event_slugs(user=request.user))


def _my_events(request):
    upcoming, past, token = my_events_for_user(user=request.user)
    for registration in upcoming:
        registration.join_now_url = join_now_path(registration, registration.event)
    feed_url = absolute_url(reverse("events:calendar-feed", args=[token])) if token else ""
    context = {
        "upcoming": upcoming,
        "past": past,
        "feed_url": feed_url,
    }
    return render(request, "events/my_events.html", context)


def _calendar_response(content: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    registration = registration_for_user(event=event, user=request.user)
    content = calendar.event_ics(event=event, online_link=calendar_online_link(registration, event))
    return _calendar_response(content, filename=calendar.filename_for(event))


@require_GET
def calendar_feed(request, token):
    counter = f"events:feed-requests:{content_digest(token)}"
    cache.add(counter, 0, 60)
    if cache.incr(counter) > FEED_REQUESTS_PER_MINUTE:
        response = HttpResponse("Too many requests for this calendar. Try again in a minute.", status=429)
        response["Retry-After"] = "60"
        return response
    owner = calendar_feed_owner(token=token)
    # Drawn once for each version of what it shows (the bytes only, never model instances), so a
    # calendar app polling a long feed costs one cheap read, not the drawing.
    key = f"events:feed:{content_digest(token, calendar_feed_version(user=owner))}"
    content = cache.get(key)
    if content is None:
        content = calendar.feed_ics(
            name="Your LOTI events",
            entries=calendar_feed_entries(user=owner),
            others=personal_feed_components(user=owner),
        )
        cache.set(key, content, FEED_CACHE_SECONDS)
    response = _calendar_response(content)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def calendar_feed_regenerate_view(request):
    had_feed = calendar_feed_for_user(user=request.user) is not None
    calendar_feed_regenerate(user=request.user)
    if had_feed:
        messages.success(request, "Your calendar has a new address. The old address no longer works.")
    else:
        messages.success(request, "Your calendar address is ready to copy.")
    return redirect(reverse("events:my-events") + "#calendar")


@require_GET
def network_feed(request, slug):
    network, entries = network_feed_entries(slug=slug)
    return _calendar_response(calendar.feed_ics(name=f"{network.name} (LOTI)", entries=entries))
