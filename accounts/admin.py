from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.template.response import TemplateResponse

from loti_portal import versions
from loti_portal.admin import (
    EachSelectedMixin,
    LabelledTabularInline,
    NamedDateTimeHalvesMixin,
    PagesRenewedMixin,
    ReadOnlyAdmin,
)

from . import services
from .models import AuditEntry, Organisation, OrganisationDomain, OrganisationRequest, User


class OrganisationDomainInline(LabelledTabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(PagesRenewedMixin, NamedDateTimeHalvesMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "membership_status", "domain_list", "people_count"]
    list_filter = ["kind", "membership_status"]
    search_fields = ["name", "domains__domain"]
    inlines = [OrganisationDomainInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(people_total=Count("people", distinct=True))
            .prefetch_related("domains")
        )

    def pages_changed(self, rows):
        # Its kind and membership decide what its people may see (borough staff only sessions),
        # and its name is shown with theirs.
        for user_id in User.objects.filter(organisation__in=rows).values_list("pk", flat=True):
            versions.person_renamed(user_id=user_id)

    @admin.display(description="Email domains")
    def domain_list(self, obj):
        return ", ".join(domain.domain for domain in obj.domains.all())

    @admin.display(description="People", ordering="people_total")
    def people_count(self, obj):
        return obj.people_total


class AwaitingOrganisationFilter(admin.SimpleListFilter):
    title = "organisation"
    parameter_name = "organisation_state"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting review"), ("none", "No organisation")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(organisation__isnull=True).exclude(requested_organisation_name="")
        if self.value() == "none":
            return queryset.filter(organisation__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(PagesRenewedMixin, NamedDateTimeHalvesMixin, DjangoUserAdmin):
    ordering = ["full_name", "email"]
    list_display = [
        "email",
        "full_name",
        "organisation",
        "requested_organisation_name",
        "is_staff",
        "date_joined",
    ]
    list_filter = [AwaitingOrganisationFilter, "organisation__kind", "is_staff", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name", "organisation__name", "requested_organisation_name"]
    autocomplete_fields = ["organisation"]
    # Plain multiple selects: the two-box chooser Django would draw puts an aria-label on a span,
    # which ARIA does not allow. A multiple select works with the keyboard and screen readers.
    filter_horizontal = ()
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {
                "fields": [
                    "full_name",
                    "job_title",
                    "organisation",
                    "requested_organisation_name",
                    "show_name_to_attendees",
                ]
            },
        ),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
        ("Emails", {"fields": ["emails"]}),
    ]
    readonly_fields = ["requested_organisation_name", "emails"]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]

    def pages_changed(self, rows):
        # Their name, whether others see it, their organisation: their pages and those showing
        # people's names.
        for user in rows:
            versions.person_renamed(user_id=user.pk)

    @admin.display(description="Emails to this person")
    def emails(self, user):
        from outbox.admin import emails_summary

        return emails_summary(user=user) if user.pk else "—"

    def save_model(self, request, obj, form, change):
        """A change of organisation here is a staff decision: made (and audited) by the service,
        which also settles a request awaiting review."""
        organisation = obj.organisation
        if change and "organisation" in form.changed_data:
            obj.organisation = User.objects.get(pk=obj.pk).organisation
        super().save_model(request, obj, form, change)
        if "organisation" in form.changed_data:
            services.user_organisation_set(user=obj, organisation=organisation, acting_user=request.user)
            obj.refresh_from_db()


class PendingRequestFilter(admin.SimpleListFilter):
    """Requests awaiting review unless staff ask for the others: the queue is what needs doing."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*OrganisationRequest.Status.choices, ("all", "All")]

    def choices(self, changelist):
        value = self.value() or OrganisationRequest.Status.PENDING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or OrganisationRequest.Status.PENDING
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class RejectRequestsForm(forms.Form):
    reason = forms.CharField(
        label="Reason (emailed to each person)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeRequestsForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Link them to",
        queryset=Organisation.objects.order_by("name"),
        empty_label="Choose an organisation",
    )


@admin.register(OrganisationRequest)
class OrganisationRequestAdmin(EachSelectedMixin, admin.ModelAdmin):
    """The queue of people who say they work for an organisation their address does not prove."""

    list_display = ["created_at", "person", "email", "name", "on_the_list", "source", "status", "staff_told"]
    list_filter = [PendingRequestFilter, "source"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__full_name", "email", "name"]
    readonly_fields = [
        "user",
        "email",
        "name",
        "organisation",
        "source",
        "status",
        "created_at",
        "staff_notified_at",
        "decided_at",
        "decided_by",
        "linked_organisation",
        "decision_reason",
    ]
    fields = readonly_fields
    actions = ["approve", "merge", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Person", ordering="user__full_name")
    def person(self, obj):
        return obj.user.full_name

    @admin.display(description="On the list", boolean=True)
    def on_the_list(self, obj):
        return obj.organisation_id is not None

    @admin.display(description="Staff told", boolean=True)
    def staff_told(self, obj):
        return obj.staff_notified_at is not None

    @admin.action(
        description="Approve: link each person to the organisation they named", permissions=["change"]
    )
    def approve(self, request, queryset):
        self.apply_each(
            request,
            queryset.select_related("user", "organisation"),
            lambda row: services.organisation_request_approve(request=row, acting_user=request.user),
            "Approved {count} request(s); each person has been emailed.",
        )

    def _intermediate(self, request, queryset, *, form, title, action, button, intro):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "selected": queryset.select_related("user", "organisation"),
            "action_name": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "button": button,
            "intro": intro,
        }
        return TemplateResponse(request, "admin/accounts/decide_requests.html", context)

    @admin.action(description="Merge: link each person to an existing organisation…", permissions=["change"])
    def merge(self, request, queryset):
        form = MergeRequestsForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            self.apply_each(
                request,
                queryset.select_related("user", "organisation"),
                lambda row: services.organisation_request_merge(
                    request=row, organisation=organisation, acting_user=request.user
                ),
                f"Linked {{count}} person(s) to {organisation.name}; each has been emailed.",
            )
            return None
        return self._intermediate(
            request,
            queryset,
            form=form,
            title="Link to an existing organisation",
            action="merge",
            button="Link and email each person",
            intro="Each person below is linked to the organisation you choose instead of the one "
            "they named, and emailed.",
        )

    @admin.action(description="Reject: do not link each person (with a reason)…", permissions=["change"])
    def reject(self, request, queryset):
        form = RejectRequestsForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self.apply_each(
                request,
                queryset.select_related("user", "organisation"),
                lambda row: services.organisation_request_reject(
                    request=row, acting_user=request.user, reason=reason
                ),
                "Rejected {count} request(s); each person has been emailed.",
            )
            return None
        return self._intermediate(
            request,
            queryset,
            form=form,
            title="Reject organisation requests",
            action="reject",
            button="Reject and email each person",
            intro="Each person below stays signed in with what anyone signed in has, and is emailed "
            "that their account is not linked to the organisation they named.",
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_repr"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor"]
    search_fields = ["action", "target_repr", "actor__email", "actor__full_name"]
    date_hierarchy = "created_at"


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    # A plain multiple select, as for a user's permissions (see UserAdmin).
    filter_horizontal = ()
