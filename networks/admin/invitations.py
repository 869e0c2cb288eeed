"""Invitations to a network in admin, sent through networks.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from .. import services
from ..models import Network, NetworkInvitation
from .common import audit_history


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = NetworkInvitation
        fields = ["network", "email"]
        help_texts = {"email": "We email this address a link that works once and expires in 14 days."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.filter(status=Network.Status.ACTIVE)

    def clean(self):
        cleaned = super().clean()
        network, email = cleaned.get("network"), cleaned.get("email")
        if network and email:
            refusal = services.invitation_refusal_for(network=network, email=email)
            if refusal:
                raise ValidationError(refusal)
        return cleaned


@admin.register(NetworkInvitation)
class NetworkInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "network", "state", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["network"]
    list_select_related = ["network", "invited_by"]
    search_fields = ["email", "network__name"]
    readonly_fields = [
        "network",
        "email",
        "state",
        "link",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "history",
    ]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["network", "email"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # An invitation is never edited: it is withdrawn (an action) and a new one sent.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        invitation = services.invitation_create(
            network=form.cleaned_data["network"], email=form.cleaned_data["email"], invited_by=request.user
        )
        obj.pk = invitation.pk
        obj.refresh_from_db()

    @admin.display(description="State")
    def state(self, obj):
        return obj.state

    @admin.display(description="Invitation link")
    def link(self, obj):
        return reverse("networks:invitation-accept", args=[obj.token])

    @admin.display(description="Changes")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Withdraw the selected invitations")
    def revoke(self, request, queryset):
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation, acting_user=request.user)
        self.message_user(request, "The selected invitations can no longer be used.", messages.SUCCESS)
