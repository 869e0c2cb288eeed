"""Memberships and pending applications in admin: add people, decide applications, change
roles, remove people. Every change goes through networks.services, so it is checked, audited and
emailed like any other."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from loti_portal import versions
from loti_portal.admin import EachSelectedMixin, PagesRenewedMixin

from .. import services
from ..forms import DeclineForm
from ..models import Membership, Network, PendingApplication
from .common import PersonColumns, audit_history, roster_csv


class MembershipAddForm(forms.ModelForm):
    """Staff put someone straight into a network (see services.membership_add)."""

    class Meta:
        model = Membership
        fields = ["user", "network", "role"]

    def validate_unique(self):
        # A row for this person and network may exist already (they left, or applied): the
        # service reuses it. Being an active member already is the only refusal.
        pass

    def clean(self):
        cleaned = super().clean()
        user, network = cleaned.get("user"), cleaned.get("network")
        already = Membership.objects.filter(user=user, network=network, status=Membership.Status.ACTIVE)
        if user and network and already.exists():
            raise ValidationError(f"{user} is already a member of {network.name}.")
        return cleaned


@admin.register(Membership)
class MembershipAdmin(PagesRenewedMixin, PersonColumns, EachSelectedMixin, admin.ModelAdmin):
    list_display = [
        "person",
        "email",
        "organisation",
        "network",
        "status",
        "role",
        "applied_at",
        "joined_at",
    ]
    list_filter = [
        "network",
        "status",
        "role",
        ("user__organisation", admin.RelatedOnlyFieldListFilter),
        "user__organisation__kind",
    ]
    list_select_related = ["user__organisation", "network"]
    search_fields = ["user__full_name", "user__email", "user__organisation__name", "network__name"]
    autocomplete_fields = ["user"]
    ordering = ["network__name", "user__full_name"]
    readonly_fields = [
        "user",
        "network",
        "status",
        "application",
        "applied_at",
        "joined_at",
        "left_at",
        "decided_by",
        "decided_at",
        "decision_reason",
        "created_at",
        "history",
    ]
    fieldsets = [
        (None, {"fields": ["user", "network", "status", "role"]}),
        ("Application", {"fields": ["application", "applied_at"]}),
        ("Decision", {"fields": ["decided_by", "decided_at", "decision_reason"]}),
        ("Dates", {"fields": ["joined_at", "left_at", "created_at"]}),
        ("History", {"fields": ["history"]}),
    ]
    actions = ["approve", "decline", "make_lead", "make_co_chair", "make_member", "remove", "export_selected"]
    change_form_template = "admin/networks/membership_change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["user", "network", "role"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = list(super().get_readonly_fields(request, obj))
        if not obj.is_active:
            fields.append("role")
        return fields

    def has_delete_permission(self, request, obj=None):
        # Deleting would lose the history: people are removed instead (an action).
        return False

    def save_model(self, request, obj, form, change):
        if change:
            # Only the role of an active member is editable here; everything else is an action.
            if "role" in form.changed_data:
                services.membership_set_role(
                    membership=obj, role=form.cleaned_data["role"], acting_user=request.user
                )
        else:
            created = services.membership_add(
                user=form.cleaned_data["user"],
                network=form.cleaned_data["network"],
                role=form.cleaned_data["role"],
                acting_user=request.user,
            )
            obj.pk = created.pk
        obj.refresh_from_db()

    def pages_changed(self, rows):
        # The networks' pages (members, leads) and what each person may see.
        networks = Network.objects.filter(pk__in={row.network_id for row in rows})
        for slug in networks.values_list("slug", flat=True):
            versions.network_changed(slug=slug)
        for user_id in {row.user_id for row in rows}:
            versions.person_changed(user_id=user_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "changelist_url": self._changelist_url()}
        return super().change_view(request, object_id, form_url, extra_context)

    def _changelist_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    @admin.display(description="Answers")
    def application(self, obj):
        if not obj.answers:
            return "No application (joined directly)."
        rows = [
            ("Job title", obj.answers.get("job_title", "")),
            ("Organisation", obj.answers.get("organisation", "")),
        ]
        if obj.answers.get("seniority"):
            rows.append(("Seniority", obj.seniority_label))
        rows.append(("Why they want to join", obj.answers.get("reason", "")))
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt><strong>{}</strong></dt><dd>{}</dd>", rows),
        )

    @admin.display(description="Changes")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Approve the selected applications")
    def approve(self, request, queryset):
        self.apply_each(
            request,
            queryset.select_related("user", "network"),
            lambda m: services.membership_approve(membership=m, acting_user=request.user),
            "Approved {count} application(s); each applicant has been emailed.",
        )

    @admin.action(description="Decline the selected applications (with a reason)…")
    def decline(self, request, queryset):
        form = DeclineForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self.apply_each(
                request,
                queryset.select_related("user", "network"),
                lambda m: services.membership_decline(membership=m, acting_user=request.user, reason=reason),
                "Declined {count} application(s); each applicant has been emailed the reason.",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Decline applications",
            "form": form,
            "selected": queryset.select_related("user__organisation", "network"),
            "action_name": "decline",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "intro": "Each applicant below is emailed that their application is declined, with the reason "
            "you give.",
            "button": "Decline and email the reason",
        }
        return TemplateResponse(request, "admin/networks/decline_applications.html", context)

    def _set_role(self, request, queryset, role):
        self.apply_each(
            request,
            queryset.select_related("user", "network"),
            lambda m: services.membership_set_role(membership=m, role=role, acting_user=request.user),
            f"{{count}} member(s) now have the role {Membership.Role(role).label.lower()}.",
        )

    @admin.action(description="Make the selected members leads")
    def make_lead(self, request, queryset):
        self._set_role(request, queryset, Membership.Role.LEAD)

    @admin.action(description="Make the selected members co-chairs")
    def make_co_chair(self, request, queryset):
        self._set_role(request, queryset, Membership.Role.CO_CHAIR)

    @admin.action(description="Make the selected members ordinary members")
    def make_member(self, request, queryset):
        self._set_role(request, queryset, Membership.Role.MEMBER)

    @admin.action(description="Remove the selected people from their networks")
    def remove(self, request, queryset):
        self.apply_each(
            request,
            queryset.select_related("user", "network"),
            lambda m: services.membership_remove(membership=m, acting_user=request.user),
            "Removed {count} membership(s).",
        )

    @admin.action(description="Export the rosters of the selected people's networks (CSV)")
    def export_selected(self, request, queryset):
        networks = Network.objects.filter(pk__in=queryset.values("network_id")).order_by("name")
        return roster_csv(request, list(networks))


@admin.register(PendingApplication)
class PendingApplicationAdmin(MembershipAdmin):
    """Applications waiting for a decision, oldest first."""

    list_display = ["person", "email", "organisation", "network", "applied_at"]
    list_filter = [
        "network",
        ("user__organisation", admin.RelatedOnlyFieldListFilter),
        "user__organisation__kind",
    ]
    ordering = ["applied_at", "pk"]
    actions = ["approve", "decline"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Membership.Status.PENDING)

    def has_add_permission(self, request):
        return False
