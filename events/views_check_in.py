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

from .models import Registration
from .selectors import event_get_for_user
from .services import RegistrationRefused, registration_add_walk_in, registration_mark_attendance


@staff_member_required
@require_http_methods(["GET", "POST"])
def event_check_in(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    search = (request.GET.get("q") or request.POST.get("q") or "").strip()[:100]
    walk_in_error, walk_in_email = "", ""
    if request.method == "POST" and "walk_in_email" in request.POST:
        walk_in_email = request.POST["walk_in_email"].strip()[:254]
        person = (
            User.objects.filter(email__iexact=walk_in_email, is_active=True).first()
            if walk_in_email
            else None
        )
        if not walk_in_email:
            walk_in_error = "Enter the email address of the person who came"
        elif person is None:
            walk_in_error = "No account uses that email address: ask them to sign up, then add them"
        else:
            try:
                registration = registration_add_walk_in(event=event, user=person, acting_user=request.user)
            except RegistrationRefused as refused:
                walk_in_error = str(refused)
            else:
                messages.success(request, f"{person.full_name or person.email} is checked in.")
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
            "walk_in_error": walk_in_error,
            "walk_in_email": walk_in_email,
        },
        status=400 if walk_in_error else 200,
    )
