"""An organisation lead's pages: their colleagues, the sign-ups claiming the organisation, inviting
colleagues, and the organisation's engagement figures (small counts hidden)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from engagement import selectors as engagement
from engagement.forms import DashboardFilterForm
from loti_portal.csv_export import csv_response

from . import selectors, services
from .forms import ClaimRejectForm, ColleagueInviteForm


@login_required
@require_GET
def organisation_home(request):
    organisation = selectors.organisation_led_by(user=request.user)
    context = {
        "organisation": organisation,
        "colleagues": selectors.colleagues_with_activity(organisation=organisation),
        "claims": selectors.claims_awaiting_review(organisation=organisation),
    }
    return render(request, "organisations/organisation_home.html", context)


@login_required
@require_POST
def claim_confirm(request, request_id):
    organisation = selectors.organisation_led_by(user=request.user)
    claim = selectors.claim_get_for_lead(organisation=organisation, request_id=request_id)
    try:
        account_services.organisation_request_approve(request=claim, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{claim.user} is now linked to {organisation.name}. We have told them.")
    return redirect("organisations:home")


@login_required
@require_http_methods(["GET", "POST"])
def claim_reject(request, request_id):
    organisation = selectors.organisation_led_by(user=request.user)
    claim = selectors.claim_get_for_lead(organisation=organisation, request_id=request_id)
    form = ClaimRejectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.organisation_request_reject(
                request=claim, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request, f"{claim.user} is not linked to {organisation.name}. We have told them."
            )
        return redirect("organisations:home")
    return render(
        request,
        "organisations/claim_reject.html",
        {"organisation": organisation, "claim": claim, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def colleague_invite(request):
    organisation = selectors.organisation_led_by(user=request.user)
    form = ColleagueInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.colleague_invite(
                organisation=organisation, email=form.cleaned_data["email"], acting_user=request.user
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(
                request, f"We have emailed {form.cleaned_data['email'].lower()} a link to sign up."
            )
            return redirect("organisations:home")
    return render(
        request, "organisations/colleague_invite.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_GET
def organisation_engagement(request):
    """The engagement dashboard for the lead's organisation only; counts of 1 and 2 are hidden."""
    organisation = selectors.organisation_led_by(user=request.user)
    networks = engagement.dashboard_networks()
    form = DashboardFilterForm(request.GET or None, networks=networks)
    del form.fields["kind"]
    filters = form.filters()
    filters.kind, filters.organisation = "", organisation
    dashboard = engagement.dashboard_get(filters=filters, suppress=True, networks=networks)
    wanted = request.GET.get("csv")
    if wanted:
        section = dashboard.section(wanted)
        return csv_response(
            filename=f"{section.slug}-{timezone.localdate():%Y-%m-%d}.csv",
            header=section.header,
            rows=section.csv_rows(),
        )
    query = request.GET.copy()
    query.pop("csv", None)
    return render(
        request,
        "engagement/dashboard.html",
        {"form": form, "dashboard": dashboard, "query": query.urlencode(), "organisation": organisation},
    )
