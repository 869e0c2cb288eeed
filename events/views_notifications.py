"""Notification settings and one-click unsubscribe from a network's meeting reminders."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from networks.models import Membership
from networks.services import membership_set_reminders

from .reminders import unsubscribe_token_read


class ReminderSettingsForm(forms.Form):
    networks = forms.MultipleChoiceField(
        label="Send me reminders before the meetings of",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reminders go out a week and a day before each meeting, with a calendar invitation.",
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].choices = [(str(m.network_id), m.network.name) for m in memberships]
        if not self.is_bound:
            self.initial["networks"] = [str(m.network_id) for m in memberships if m.reminders_enabled]


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    memberships = list(
        Membership.objects.filter(user=request.user, status=Membership.Status.ACTIVE)
        .select_related("network")
        .order_by("network__name")
    )
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["networks"])
        for membership in memberships:
            membership_set_reminders(
                membership=membership, enabled=str(membership.network_id) in wanted, acting_user=request.user
            )
        messages.success(request, "Your notification settings have been saved.")
        return redirect("events:notification-settings")
    return render(request, "events/notification_settings.html", {"form": form, "memberships": memberships})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session; the token is signed
@require_http_methods(["GET", "POST"])
def reminders_unsubscribe(request, token):
    try:
        user_id, network_id = unsubscribe_token_read(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "events/reminders_unsubscribe_invalid.html", status=400)
    membership = (
        Membership.objects.select_related("network").filter(user_id=user_id, network_id=network_id).first()
    )
    if membership is None:
        return render(request, "events/reminders_unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        membership_set_reminders(membership=membership, enabled=False, acting_user=None)
        return render(request, "events/reminders_unsubscribed.html", {"network": membership.network})
    return render(request, "events/reminders_unsubscribe.html", {"network": membership.network})
