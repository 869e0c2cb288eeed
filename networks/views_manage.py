"""'Manage this network': the pages a network's leads and co-chairs (and staff) use in the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import manage, services
from .forms import LeadDeclineForm, MembersMessageForm


@login_required
@require_GET
def network_manage(request, slug):
    network = manage.network_get_for_lead(user=request.user, slug=slug)
    page = manage.network_manage_page(network=network, user=request.user)
    context = {
        "network": network,
        "page": page,
        "may_decide": manage.lead_may_decide(user=request.user, network=network),
    }
    return render(request, "networks/manage_network.html", context)


@login_required
@require_POST
def application_approve(request, slug, membership_id):
    network = manage.network_get_for_lead(user=request.user, slug=slug)
    application = manage.application_get_for_lead(
        user=request.user, network=network, membership_id=membership_id
    )
    try:
        services.membership_approve(membership=application, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, f"{application.user.full_name} is now a member of {network.name}. We have told them."
        )
    return redirect("networks:network-manage", slug=network.slug)


@login_required
@require_http_methods(["GET", "POST"])
def application_decline(request, slug, membership_id):
    network = manage.network_get_for_lead(user=request.user, slug=slug)
    application = manage.application_get_for_lead(
        user=request.user, network=network, membership_id=membership_id
    )
    form = LeadDeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_decline(
                membership=application, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", exc)
        else:
            messages.success(
                request,
                f"You have declined the application from {application.user.full_name}. "
                "We have told them why.",
            )
            return redirect("networks:network-manage", slug=network.slug)
    return render(
        request,
        "networks/manage_decline.html",
        {"network": network, "application": application, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_message(request, slug):
    network = manage.network_get_for_lead(user=request.user, slug=slug)
    form = MembersMessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.network_message_members(
                network=network,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, exc)
        else:
            count = message.recipient_count
            messages.success(
                request,
                f"Your message is on its way to {count} member{'s' if count != 1 else ''} of {network.name}. "
                "The networks team has a copy.",
            )
            return redirect("networks:network-manage", slug=network.slug)
    return render(request, "networks/manage_message.html", {"network": network, "form": form})
