"""Staff work on networks in Django admin. Every change of a membership or invitation goes
through networks.services, so it is checked, audited and emailed like any other."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.models import AuditEntry, Organisation
from loti_portal.admin import LabelledTabularInline
from loti_portal.csv_export import csv_response

from . import services
from .admin_cadence import PREVIEW_FIELDS, CadencePreviewForm
from .forms import DeclineForm
from .models import Membership, Network, NetworkInvitation, PendingApplication


def _history(obj) -> str:
    """The audit entries about one object, newest first, as a small table."""
    if obj is None or obj.pk is None:
        return "-"
    entries = AuditEntry.objects.filter(
        target_type=obj._meta.concrete_model._meta.label_lower, target_id=str(obj.pk)
    ).select_related("actor")
    if not entries:
        return "No changes recorded yet."
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                entry.created_at.strftime("%Y-%m-%d %H:%M"),
                entry.actor or "System",
                entry.action,
                _describe(entry.data),
            )
            for entry in entries
        ),
    )
    return format_html(
        "<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Details</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        rows,
    )


def _describe(data: dict) -> str:
    """An audit entry's details in words: "reason: Not yet; role: lead"."""
    return "; ".join(
        f"{key.replace('_', ' ')}: {_describe(value) if isinstance(value, dict) else value}"
        for key, value in data.items()
    )


def _roster_csv(request, networks):
    header, rows = services.roster_export(networks=list(networks), acting_user=request.user)
    name = networks[0].slug if len(networks) == 1 else "networks"
    return csv_response(filename=f"{name}-roster.csv", header=header, rows=rows)


# --- networks -------------------------------------------------------------------------------


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


class PersonColumns:
    """The member's name, email and organisation, as columns of a membership list."""

    @admin.display(description="Name", ordering="user__full_name")
    def person(self, obj):
        return obj.user.full_name

    @admin.display(description="Email", ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="Organisation", ordering="user__organisation__name")
    def organisation(self, obj):
        return obj.user.organisation or obj.user.requested_organisation_name or "-"


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
class NetworkAdmin(admin.ModelAdmin):
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
        return _history(obj)

    @admin.action(description="Export the roster of the selected networks (CSV)")
    def export_roster(self, request, queryset):
        return _roster_csv(request, list(queryset.order_by("name")))

    def roster_view(self, request, network_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _roster_csv(request, [get_object_or_404(Network, pk=network_id)])

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


# --- memberships ----------------------------------------------------------------------------


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
class MembershipAdmin(PersonColumns, admin.ModelAdmin):
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
        return _history(obj)

    def _each(self, request, queryset, change, done):
        """Apply one service call to each selected membership; report successes and refusals."""
        succeeded = 0
        for membership in queryset.select_related("user", "network"):
            try:
                change(membership)
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], messages.WARNING)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done.format(count=succeeded), messages.SUCCESS)

    @admin.action(description="Approve the selected applications")
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda m: services.membership_approve(membership=m, acting_user=request.user),
            "Approved {count} application(s); each applicant has been emailed.",
        )

    @admin.action(description="Decline the selected applications (with a reason)…")
    def decline(self, request, queryset):
        form = DeclineForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(
                request,
                queryset,
                lambda m: services.membership_decline(membership=m, acting_user=request.user, reason=reason),
                "Declined {count} application(s); each applicant has been emailed the reason.",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Decline applications",
            "form": form,
            "memberships": queryset.select_related("user__organisation", "network"),
            "action_name": "decline",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/networks/decline_applications.html", context)

    def _set_role(self, request, queryset, role):
        self._each(
            request,
            queryset,
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
        self._each(
            request,
            queryset,
            lambda m: services.membership_remove(membership=m, acting_user=request.user),
            "Removed {count} membership(s).",
        )

    @admin.action(description="Export the rosters of the selected people's networks (CSV)")
    def export_selected(self, request, queryset):
        networks = Network.objects.filter(pk__in=queryset.values("network_id")).order_by("name")
        return _roster_csv(request, list(networks))


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


# --- invitations ----------------------------------------------------------------------------


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
        return _history(obj)

    @admin.action(description="Withdraw the selected invitations")
    def revoke(self, request, queryset):
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation, acting_user=request.user)
        self.message_user(request, "The selected invitations can no longer be used.", messages.SUCCESS)
