"""Networks in admin: their details, cadence and reminders, roster and member counts."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.models import Organisation
from events.models import Event
from loti_portal import versions
from loti_portal.admin import LabelledTabularInline, PagesRenewedMixin

from .. import services
from ..models import Membership, Network
from .cadence import PREVIEW_FIELDS, CadencePreviewForm
from .common import PersonColumns, audit_history, roster_csv


class HoursListField(forms.CharField):
    """A list of whole hours typed as "168, 24"; the model's JSON list of ints."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(hours) for hours in value)
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").strip().strip("[]")
        try:
            offsets = [int(part) for part in text.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError(
                "Enter whole numbers of hours separated by commas, such as 168, 24"
            ) from None
        return sorted(set(offsets), reverse=True)

    def has_changed(self, initial, data):
        try:
            return self.to_python(self.prepare_value(initial)) != self.to_python(data)
        except forms.ValidationError:
            return True


class NetworkAdminForm(CadencePreviewForm):
    eligible_organisation_kinds = forms.MultipleChoiceField(
        label="Organisation kinds that may join",
        choices=Organisation.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick none to let anyone with an account join.",
    )
    discussion_url = forms.URLField(
        label="Discussion space link",
        required=False,
        assume_scheme="https",
        help_text=Network._meta.get_field("discussion_url").help_text,
    )
    meeting_online_url = forms.URLField(label="Meeting joining link", required=False, assume_scheme="https")
    reminder_offsets_hours = HoursListField(
        label="Reminders (hours before each meeting)",
        required=False,
        help_text="Separate with commas: “168, 24” is a week and a day before. Leave empty for no reminders.",
    )

    class Meta:
        model = Network
        fields = [
            "name",
            "slug",
            "summary",
            "description",
            "audience",
            "status",
            "join_policy",
            "eligible_organisation_kinds",
            "asks_seniority",
            "contact_email",
            "meeting_frequency",
            "cadence_week",
            "cadence_weekday",
            "cadence_start_time",
            "cadence_duration_minutes",
            "cadence_starts_on",
            "meeting_venue",
            "meeting_online_url",
            "meeting_capacity",
            "meetings_horizon_days",
            "reminder_offsets_hours",
            "discussion_url",
        ]


class RosterInline(PersonColumns, LabelledTabularInline):
    """The network's members and pending applicants. Read-only: changes go through the actions
    on Memberships, so they are audited."""

    model = Membership
    verbose_name = "member or applicant"
    verbose_name_plural = "roster: members and pending applications"
    fields = ["person", "email", "organisation", "status", "role", "applied_at", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["status", "user__full_name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING])
            .select_related("user__organisation")
        )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Network)
class NetworkAdmin(PagesRenewedMixin, admin.ModelAdmin):
    form = NetworkAdminForm
    list_display = ["name", "join_policy", "status", "meeting_frequency", "members", "pending"]
    list_filter = ["status", "join_policy", "meeting_frequency"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["members_by_organisation", "created_at", "history", "cadence_summary"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description", "audience", "status"]}),
        (
            "Joining",
            {
                "fields": [
                    "join_policy",
                    "leads_decide_applications",
                    "eligible_organisation_kinds",
                    "asks_seniority",
                    "contact_email",
                ]
            },
        ),
        (
            "Meetings",
            {
                "fields": [
                    "meeting_frequency",
                    ("cadence_week", "cadence_weekday"),
                    ("cadence_start_time", "cadence_duration_minutes"),
                    "cadence_starts_on",
                    "meeting_venue",
                    "meeting_online_url",
                    "meeting_capacity",
                    "meetings_horizon_days",
                    "reminder_offsets_hours",
                    "cadence_summary",
                    "cadence_checked",
                    "within_notice",
                ],
                "description": "Meetings are created from this cadence up to the horizon every night. "
                "Changing it replaces future meetings nobody has edited or registered for.",
            },
        ),
        ("Discussion", {"fields": ["discussion_url"]}),
        ("Members", {"fields": ["members_by_organisation", "created_at"]}),
        ("History", {"fields": ["history"]}),
    ]
    inlines = [RosterInline]
    actions = ["export_roster"]
    change_list_template = "admin/networks/network_change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)),
                pending_total=Count("memberships", filter=Q(memberships__status=Membership.Status.PENDING)),
            )
        )

    def get_urls(self):
        return [
            path(
                "member-counts/",
                self.admin_site.admin_view(self.member_counts_view),
                name="networks_network_member_counts",
            ),
            path(
                "<int:network_id>/roster.csv",
                self.admin_site.admin_view(self.roster_view),
                name="networks_network_roster",
            ),
            *super().get_urls(),
        ]

    def has_delete_permission(self, request, obj=None):
        # Deleting a network would delete its memberships and their history: archive it instead.
        return False

    def save_model(self, request, obj, form, change):
        services.network_save(
            network=obj,
            changed_fields=[name for name in form.changed_data if name not in PREVIEW_FIELDS],
            acting_user=request.user,
            within_notice=form.cleaned_data.get("within_notice", False),
        )

    def pages_changed(self, rows):
        # Each network's pages and its events' pages, which show its name.
        for network in rows:
            event_slugs = Event.objects.filter(network=network).values_list("slug", flat=True)
            versions.network_changed(slug=network.slug, event_slugs=event_slugs)

    @admin.display(description="In words")
    def cadence_summary(self, obj):
        if not obj.cadence_rrule:
            return obj.cadence_in_words
        return f"{obj.cadence_in_words} (RRULE: {obj.cadence_rrule})"

    @admin.display(description="Members", ordering="member_total")
    def members(self, obj):
        return obj.member_total

    @admin.display(description="Pending applications", ordering="pending_total")
    def pending(self, obj):
        if not obj.pending_total:
            return 0
        url = reverse("admin:networks_pendingapplication_changelist") + f"?network__id__exact={obj.pk}"
        return format_html('<a href="{}">{} pending</a>', url, obj.pending_total)

    @admin.display(description="Active members by organisation")
    def members_by_organisation(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        counts = (
            Membership.objects.filter(network=obj, status=Membership.Status.ACTIVE)
            .values("user__organisation__name")
            .annotate(total=Count("pk"))
            .order_by("-total", "user__organisation__name")
        )
        if not counts:
            return "No members yet."
        roster_url = reverse("admin:networks_network_roster", args=[obj.pk])
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            ((row["user__organisation__name"] or "No organisation", row["total"]) for row in counts),
        )
        return format_html(
            "<table><thead><tr><th>Organisation</th><th>Members</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">Download the roster (CSV)</a></p>',
            rows,
            roster_url,
        )

    @admin.display(description="Changes")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Export the roster of the selected networks (CSV)")
    def export_roster(self, request, queryset):
        return roster_csv(request, list(queryset.order_by("name")))

    def roster_view(self, request, network_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return roster_csv(request, [get_object_or_404(Network, pk=network_id)])

    def member_counts_view(self, request):
        """Active members per organisation (rows) and network (columns), boroughs first."""
        networks = list(Network.objects.order_by("name"))
        counts = (
            Membership.objects.filter(status=Membership.Status.ACTIVE)
            .values("network_id", "user__organisation__name", "user__organisation__kind")
            .annotate(total=Count("pk"))
        )
        table: dict[tuple, dict[int, int]] = {}
        for row in counts:
            kind = row["user__organisation__kind"]
            key = (
                0 if kind == Organisation.Kind.BOROUGH else 1,
                row["user__organisation__name"] or "No organisation",
            )
            table.setdefault(key, {})[row["network_id"]] = row["total"]
        rows = [
            {
                "organisation": name,
                "is_borough": group == 0,
                "counts": [by_network.get(network.pk, 0) for network in networks],
                "total": sum(by_network.values()),
            }
            for (group, name), by_network in sorted(table.items())
        ]
        totals = [sum(row["counts"][index] for row in rows) for index in range(len(networks))]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Members per network and organisation",
            "networks": networks,
            "rows": rows,
            "totals": totals,
            "grand_total": sum(totals),
        }
        return TemplateResponse(request, "admin/networks/member_counts.html", context)
