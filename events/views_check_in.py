"""Check-in on the day: staff search the people with a place and tick them in, on a phone."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accounts.models import User

from .forms import WalkInForm
from .models import Registration
from .selectors import event_get_for_user
from .services import RegistrationRefused, registration_add_walk_in, registration_mark_attendance
from .services.guests import guest_walk_in_add


@staff_member_required
@require_http_methods(["GET", "POST"])
def event_check_in(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    search = (request.GET.get("q") or request.POST.get("q") or "").strip()[:100]
    adding = request.method == "POST" and ("walk_in_name" in request.POST or "walk_in_email" in request.POST)
    walk_in = WalkInForm(request.POST if adding else None)
    if walk_in.is_bound:
        if walk_in.is_valid():
            name, email = walk_in.cleaned_data["walk_in_name"].strip(), walk_in.cleaned_data["walk_in_email"]
            person = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
            known_guest = (
                bool(email)
                and Registration.objects.filter(
                    event=event, user__isnull=True, guest_email__iexact=email
                ).exists()
            )
            if person is None and not name and not known_guest:
                walk_in.add_error("walk_in_name", "Enter their name: no account uses that email address")
        if walk_in.is_valid():
            try:
                if person is not None:
                    # Someone with an account is checked in as themselves, whatever name was typed.
                    registration = registration_add_walk_in(
                        event=event, user=person, acting_user=request.user
                    )
                else:
                    registration = guest_walk_in_add(
                        event=event, full_name=name, email=email, acting_user=request.user
                    )
            except RegistrationRefused as refused:
                walk_in.add_error(None, str(refused))
            else:
                messages.success(request, f"{registration.person_name} is checked in.")
                url = reverse("events:event-check-in", args=[event.slug])
                return redirect(f"{url}#person-{registration.pk}")
    elif request.method == "POST":
        registration_id = request.POST.get("registration", "")
        if not registration_id.isdigit() or request.POST.get("attended") not in ("yes", "no"):
            raise Http404("No such person or answer")
        registration = get_object_or_404(
            Registration.objects.select_related("user"), pk=int(registration_id), event=event
        )
        try:
            registration_mark_attendance(
                registration=registration,
                attended=request.POST["attended"] == "yes",
                acting_user=request.user,
            )
        except RegistrationRefused as refused:
            messages.error(request, str(refused))
        url = reverse("events:event-check-in", args=[event.slug])
        return redirect(f"{url}?{urlencode({'q': search})}#person-{registration.pk}" if search else url)
    people = (
        Registration.objects.filter(event=event, status__in=Registration.HOLDS_PLACE_STATUSES)
        .select_related("user")
        .annotate(name=Coalesce("user__full_name", "guest_name"))
        .order_by("name", "pk")
    )
    if search:
        # Guests (no account) are found by the name and email they gave.
        people = people.filter(
            Q(user__full_name__icontains=search)
            | Q(user__email__icontains=search)
            | Q(guest_name__icontains=search)
            | Q(guest_email__icontains=search)
        )
    people = list(people)
    counts = dict.fromkeys(Registration.HOLDS_PLACE_STATUSES, 0)
    for status in Registration.objects.filter(
        event=event, status__in=Registration.HOLDS_PLACE_STATUSES
    ).values_list("status", flat=True):
        counts[status] += 1
    return render(
        request,
        "events/event_check_in.html",
        {
            "event": event,
            "people": people,
            "search": search,
            "counts": counts,
            "walk_in": walk_in,
            "over_capacity": _over_capacity(event, counts),
        },
        status=400 if walk_in.errors else 200,
    )


def _over_capacity(event, counts: dict) -> int:
    """How many more people hold a place than the session has (walk-ins are let in when full)."""
    if event.capacity is None or event.is_hybrid:
        return 0
    return max(sum(counts.values()) - event.capacity, 0)
