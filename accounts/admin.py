from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count

from loti_portal.admin import LabelledTabularInline, NamedDateTimeHalvesMixin, ReadOnlyAdmin

from .models import AuditEntry, Organisation, OrganisationDomain, User


class OrganisationDomainInline(LabelledTabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(NamedDateTimeHalvesMixin, admin.ModelAdmin):
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
        return [("awaiting", "Awaiting review (named a new organisation)"), ("none", "No organisation")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(organisation__isnull=True).exclude(requested_organisation_name="")
        if self.value() == "none":
            return queryset.filter(organisation__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(NamedDateTimeHalvesMixin, DjangoUserAdmin):
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
    readonly_fields = ["emails"]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]

    @admin.display(description="Emails to this person")
    def emails(self, user):
        from outbox.admin import emails_summary

        return emails_summary(user=user) if user.pk else "—"


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
