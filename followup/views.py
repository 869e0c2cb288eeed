"""Pages after a session: materials (shared by staff, opened by the people materials_visible_to
allows), the feedback form, and the feedback results for staff and network leads."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from events.guest_links import registration_token
from events.selectors import event_get_for_user
from loti_portal.csv_export import csv_response
from networks.manage import network_get_for_lead

from . import selectors
from .forms import FeedbackForm, MaterialForm
from .models import Material
from .services import feedback_save, material_add, material_remove

# --- materials ------------------------------------------------------------------------------


@staff_member_required
@require_http_methods(["GET", "POST"])
def materials_manage(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    form = MaterialForm()
    status = 200
    if request.method == "POST" and "remove" in request.POST:
        material_id = request.POST["remove"]
        if not material_id.isdigit():
            raise Http404("No such material")
        material = get_object_or_404(Material, pk=int(material_id), event=event)
        material_remove(material=material, acting_user=request.user)
        messages.success(request, f"“{material.title}” is no longer shared.")
        return redirect("followup:materials-manage", slug=event.slug)
    if request.method == "POST":
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            material_add(
                event=event,
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
                content_type=form.content_type,
                url=data["url"],
                accessible=data["accessible"],
                acting_user=request.user,
            )
            messages.success(request, f"“{data['title']}” is shared with the people who may see it.")
            return redirect("followup:materials-manage", slug=event.slug)
        status = 400
    materials = selectors.event_materials(event=event)
    return render(
        request,
        "followup/materials_manage.html",
        {
            "event": event,
            "form": form,
            "materials": materials,
            "needs_accessible_version": selectors.materials_need_accessible_version(materials),
        },
        status=status,
    )


def _file_response(material: Material) -> FileResponse:
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file is no longer stored") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=material.filename,
        content_type=material.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def material_download(request, slug, material_id):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    material = selectors.material_get_for_user(user=request.user, slug=slug, material_id=material_id)
    return _file_response(material)


@require_GET
def guest_material_download(request, slug, token, material_id):
    registration = selectors.guest_registration_for_link(slug=slug, token=token)
    material = selectors.material_get_for_user(
        user=AnonymousUser(), slug=slug, material_id=material_id, registration=registration
    )
    return _file_response(material)


# --- feedback -------------------------------------------------------------------------------


def _feedback_page(request, registration, *, guest_token: str = ""):
    event = registration.event
    existing = selectors.existing_feedback(registration)
    initial = (
        {
            "rating": existing.rating,
            "what_worked": existing.what_worked,
            "what_to_improve": existing.what_to_improve,
        }
        if existing
        else None
    )
    form = FeedbackForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _response, created = feedback_save(registration=registration, **form.cleaned_data)
        messages.success(
            request,
            "Thank you for your feedback." if created else "Your feedback has been changed. Thank you.",
        )
        if guest_token:
            return redirect("followup:guest-feedback", slug=event.slug, token=guest_token)
        return redirect("events:event-detail", slug=event.slug)
    viewer = request.user if not guest_token else AnonymousUser()
    materials = (
        selectors.event_materials(event=event)
        if selectors.materials_visible_to(user=viewer, event=event, registration=registration)
        else []
    )
    return render(
        request,
        "followup/feedback_give.html",
        {
            "event": event,
            "form": form,
            "existing": existing,
            "closes_at": selectors.feedback_closes_at(event),
            "guest_token": guest_token,
            "materials": materials,
            **_guest_certificate(registration, guest_token),
        },
        status=400 if form.errors else 200,
    )


def _guest_certificate(registration, guest_token: str) -> dict:
    """A guest's page offers their certificate (if they have one) by the link other guests get,
    signed as their "your registration" link is: someone added at the door by name has only
    this page's link."""
    if not guest_token or registration is None or not registration.guest_email:
        return {}
    token = registration_token(registration_id=registration.pk, email=registration.guest_email)
    return {"certificate_registration": registration, "certificate_token": token}


def _not_open(request, event, reason: str, *, materials=(), guest_token: str = "", registration=None):
    context = {
        "event": event,
        "reason": reason,
        "materials": materials,
        "guest_token": guest_token,
        **_guest_certificate(registration, guest_token),
    }
    return render(request, "followup/feedback_not_open.html", context, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def feedback_give(request, slug):
    try:
        registration = selectors.feedback_registration_for_user(user=request.user, slug=slug)
    except selectors.FeedbackNotOpen as refused:
        event = event_get_for_user(user=request.user, slug=slug)
        return _not_open(request, event, str(refused))
    return _feedback_page(request, registration)


@require_http_methods(["GET", "POST"])
def guest_feedback(request, slug, token):
    try:
        registration = selectors.feedback_registration_for_guest(slug=slug, token=token)
    except selectors.FeedbackNotOpen as refused:
        # The form is closed (or the guest did not come), but their link still opens the materials.
        registration = selectors.guest_registration_for_link(slug=slug, token=token)
        event = registration.event
        visible = selectors.materials_visible_to(user=AnonymousUser(), event=event, registration=registration)
        materials = selectors.event_materials(event=event) if visible else []
        response = _not_open(
            request, event, str(refused), materials=materials, guest_token=token, registration=registration
        )
        response["Referrer-Policy"] = "no-referrer"
        return response
    response = _feedback_page(request, registration, guest_token=token)
    response["Referrer-Policy"] = "no-referrer"  # the link is the guest's key: never passed on
    return response


# --- results --------------------------------------------------------------------------------


@staff_member_required
@require_GET
def feedback_results(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    context = {
        "event": event,
        "summary": selectors.feedback_summary_for_event(event=event),
        "comments": selectors.feedback_comments_for_event(event=event),
        "closes_at": selectors.feedback_closes_at(event),
    }
    return render(request, "followup/feedback_results.html", context)


@staff_member_required
@require_GET
def feedback_results_csv(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    header, rows = selectors.feedback_csv_for_event(event=event)
    return csv_response(filename=f"{event.slug}-feedback.csv", header=header, rows=rows)


@login_required
@require_GET
def network_feedback(request, slug):
    network = network_get_for_lead(user=request.user, slug=slug)
    report = selectors.network_feedback(network=network, user=request.user)
    return render(
        request,
        "followup/network_feedback.html",
        {
            "network": network,
            "report": report,
            "minimum": selectors.LEAD_MINIMUM_ANSWERS,
            "csv_url": reverse("followup:network-feedback-csv", args=[network.slug]),
        },
    )


@login_required
@require_GET
def network_feedback_csv(request, slug):
    network = network_get_for_lead(user=request.user, slug=slug)
    report = selectors.network_feedback(network=network, user=request.user)
    header, rows = selectors.network_feedback_csv(report=report)
    return csv_response(filename=f"{network.slug}-session-feedback.csv", header=header, rows=rows)
