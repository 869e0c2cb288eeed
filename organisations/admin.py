from django import forms
from django.contrib import admin

from . import services
from .models import OrganisationLead


class OrganisationLeadForm(forms.ModelForm):
    class Meta:
        model = OrganisationLead
        fields = ["user", "organisation"]

    def clean(self):
        cleaned = super().clean()
        user, organisation = cleaned.get("user"), cleaned.get("organisation")
        if user and organisation and user.organisation_id != organisation.pk:
            self.add_error("user", f"{user} is not linked to {organisation}: link them to it first.")
        return cleaned


@admin.register(OrganisationLead)
class OrganisationLeadAdmin(admin.ModelAdmin):
    """Staff make people leads of their organisation (add), or stop them being one (delete)."""

    form = OrganisationLeadForm
    list_display = ["user", "organisation", "made_by", "created_at"]
    list_filter = ["organisation"]
    search_fields = ["user__full_name", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["made_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        lead = services.organisation_lead_add(
            user=obj.user, organisation=obj.organisation, acting_user=request.user
        )
        obj.pk = lead.pk

    def delete_model(self, request, obj):
        services.organisation_lead_remove(lead=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for lead in queryset:
            services.organisation_lead_remove(lead=lead, acting_user=request.user)
