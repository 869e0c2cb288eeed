from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loti_portal.versions import NETWORK_LISTS, PEOPLE_NAMES, cached_page

from . import rules, selectors, services
from .cards import lead_items, network_cards, upcoming_items
from .forms import ApplicationForm, ChooseNetworksForm
from .models import Membership


@require_GET
def network_list(request):
    return cached_page(request, partial(_network_list, request), lists=[NETWORK_LISTS])


def _network_list(request):
    networks = selectors.network_list_for_user(user=request.user)
    return render(
        request, "networks/network_list.html", {"networks": networks, "cards": network_cards(networks)}
    )


@require_GET
def network_detail(request, slug):
    return cached_page(
        request, partial(_network_detail, request, slug), networks=[slug], lists=[PEOPLE_NAMES]
    )


def _network_detail(request, slug):
    user = request.user
    network = selectors.network_get_for_user(user=user, slug=slug)
    is_member = network.my_status == Membership.Status.ACTIVE
    meetings, sessions = selectors.network_upcoming_events(network=network, user=user)
    leads = selectors.network_leads(network=network) if user.is_authenticated else []
    context = {
        "network": network,
        "is_member": is_member,
        "manages": selectors.network_managed_by(network=network, user=user, leads=leads),
        "can_see_discussion": is_member or user.is_staff,
        "meetings": meetings,
        "meeting_items": upcoming_items(meetings),
        "sessions": sessions,
        "session_items": upcoming_items(sessions),
        "leads": leads,
        "lead_items": lead_items(leads),
        "eligible_organisations": rules.eligible_organisations_phrase(network),
    }
    return render(request, "networks/network_detail.html", context)


@login_required
@require_POST
def network_join(request, slug):
    network = selectors.network_get_for_user(user=request.user, slug=slug)
    try:
        services.membership_join(user=request.user, network=network)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"You have joined {network.name}.")
    return redirect("networks:network-detail", slug=network.slug)


@login_required
@require_http_methods(["GET", "POST"])
def network_apply(request, slug):
    network = selectors.network_get_for_user(user=request.user, slug=slug)
    if network.next_step != "apply":
        # Already a member or applicant, not eligible, or not an approval network: say which on
        # the network's page, which offers what the person can do instead.
        refusal = rules.entry_refusal(
            user=request.user, network=network, status=network.my_status
        ) or rules.policy_refusal(network=network, wanted=network.JoinPolicy.APPROVAL)
        messages.error(request, refusal)
        return redirect("networks:network-detail", slug=network.slug)
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, network=network, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_apply(user=request.user, network=network, answers=form.answers())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Your application to join {network.name} has been sent. We will email you when the "
                "networks team has decided.",
            )
            return redirect("networks:network-detail", slug=network.slug)
    return render(request, "networks/membership_apply.html", {"network": network, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def network_leave(request, slug):
    membership = selectors.membership_get_for_leaving(user=request.user, slug=slug)
    if request.method == "POST":
        was_member = membership.is_active
        services.membership_leave(membership=membership, acting_user=request.user)
        if was_member:
            messages.success(request, f"You have left {membership.network.name}.")
        else:
            messages.success(
                request, f"Your application to join {membership.network.name} has been withdrawn."
            )
        return redirect("networks:my-networks")
    return render(request, "networks/membership_leave.html", {"membership": membership})


@login_required
@require_GET
def membership_list(request):
    memberships = selectors.membership_list_for_user(user=request.user)
    return render(request, "networks/membership_list.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def network_choose(request):
    networks = selectors.networks_to_choose_for_user(user=request.user)
    form = ChooseNetworksForm(
        request.POST if request.method == "POST" else None, networks=networks, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen_networks()
        try:
            memberships = services.memberships_choose(
                user=request.user, networks=chosen, answers=form.answers()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            joined = [m.network.name for m in memberships if m.status == Membership.Status.ACTIVE]
            applied = [m.network.name for m in memberships if m.status == Membership.Status.PENDING]
            messages.success(request, _choice_summary(joined=joined, applied=applied))
            return redirect("networks:my-networks")
    return render(request, "networks/network_choose.html", {"form": form, "networks": networks})


def _choice_summary(*, joined: list[str], applied: list[str]) -> str:
    parts = []
    if joined:
        parts.append("You have joined " + " and ".join(joined) + ".")
    if applied:
        parts.append(
            "Your application to join "
            + " and ".join(applied)
            + " has been sent: we will email you when the networks team has decided."
        )
    return " ".join(parts)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = selectors.invitation_get_by_token(token=token)
    refusal = rules.invitation_refusal(invitation=invitation, user=request.user)
    if refusal is None and invitation.accepted_at:
        return redirect("networks:network-detail", slug=invitation.network.slug)
    if request.method == "POST" and refusal is None:
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            refusal = exc.messages[0]
        else:
            messages.success(request, f"You have joined {invitation.network.name}.")
            return redirect("networks:network-detail", slug=invitation.network.slug)
    wrong_person = refusal is not None and invitation.email.lower() != request.user.email.lower()
    status = 200 if refusal is None else 403 if wrong_person else 410
    return render(
        request,
        "networks/invitation_detail.html",
        {"invitation": invitation, "refusal": refusal},
        status=status,
    )
