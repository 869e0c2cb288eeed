"""Staff see every email the portal owes or sent: per person, per event or network, with what the
mail server said, and send a failed one again."""

from django.contrib import admin, messages
from django.db.models import Count, Model, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from loti_portal.admin import ReadOnlyAdmin

from .kinds import kind_choices, kind_label
from .models import Email
from .services import about_of, email_send_again

WAITING_STATES = (Email.State.PENDING, Email.State.SENDING)


def outbox_link(**filters) -> str:
    """The address of the emails list filtered by the given lookups."""
    return reverse("admin:outbox_email_changelist") + "?" + urlencode(filters)


def email_counts(*, about: Model | None = None, user=None, kinds: list[str] | None = None) -> dict[str, int]:
    """Emails sent, waiting and failed (and skipped) about an object or to a person: one query."""
    rows = Email.objects.all()
    if about is not None:
        about_type, about_id = about_of(about)
        rows = rows.filter(about_type=about_type, about_id=about_id)
    if user is not None:
        rows = rows.filter(user=user)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    counts = dict(
        rows.order_by().values_list("state").annotate(total=Count("id")).values_list("state", "total")
    )
    return {
        "sent": counts.get(Email.State.SENT, 0),
        "waiting": sum(counts.get(state, 0) for state in WAITING_STATES),
        "failed": counts.get(Email.State.FAILED, 0),
        "skipped": counts.get(Email.State.SKIPPED, 0),
    }


def emails_summary(*, about: Model | None = None, user=None, kinds: list[str] | None = None, noun="email"):
    """ "3 emails sent, 1 waiting to be sent, 0 failed. See each email" for an admin page."""
    counts = email_counts(about=about, user=user, kinds=kinds)
    filters = {}
    if about is not None:
        filters["about_type"], filters["about_id"] = about_of(about)
    if user is not None:
        filters["user__id__exact"] = user.pk
    if kinds and len(kinds) == 1:
        filters["kind"] = kinds[0]
    return format_html(
        '{} {}{} sent, {} waiting to be sent, {} failed. <a href="{}">See each {}</a>',
        counts["sent"],
        noun,
        "" if counts["sent"] == 1 else "s",
        counts["waiting"],
        counts["failed"],
        outbox_link(**filters),
        noun,
    )


def email_counts_annotation(*, prefix: str, about_type: str, kinds: list[str]) -> dict:
    """Annotations `<prefix>_sent`, `_pending`, `_sending`, `_failed` for a list of objects of
    `about_type`: a subquery each, so they never multiply other counts of the same list."""

    def count(state):
        return Coalesce(
            Subquery(
                Email.objects.filter(
                    about_type=about_type, about_id=OuterRef("pk"), kind__in=kinds, state=state
                )
                .order_by()
                .values("about_id")
                .annotate(total=Count("id"))
                .values("total")[:1]
            ),
            0,
        )

    return {f"{prefix}_{state}": count(state) for state in ("sent", "pending", "sending", "failed")}


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kind_choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class AboutFilter(admin.SimpleListFilter):
    """Emails about one object (linked from an event's or a network's page)."""

    title = "about"
    parameter_name = "about_id"

    def lookups(self, request, model_admin):
        about_type = request.GET.get("about_type")
        if self.value() and about_type:
            return [(self.value(), f"{about_type} {self.value()}")]
        return []

    def queryset(self, request, queryset):
        if self.value():
            queryset = queryset.filter(about_id=self.value())
            if request.GET.get("about_type"):
                queryset = queryset.filter(about_type=request.GET["about_type"])
        return queryset


class AboutTypeFilter(admin.SimpleListFilter):
    title = "about what"
    parameter_name = "about_type"

    def lookups(self, request, model_admin):
        return [("events.event", "Sessions and meetings"), ("networks.network", "Networks")]

    def queryset(self, request, queryset):
        return queryset.filter(about_type=self.value()) if self.value() else queryset


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind_name", "to", "about", "state", "attempts", "sent_at", "error"]
    list_filter = ["state", KindFilter, AboutTypeFilter, AboutFilter]
    list_select_related = ["user"]
    search_fields = ["to", "user__email", "user__full_name"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = [
        "kind_name",
        "to",
        "user",
        "about",
        "state",
        "attempts",
        "created_at",
        "available_at",
        "queued_at",
        "lease_until",
        "sent_at",
        "last_error",
        "data",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        # Staff may look and use "send again" (which needs the change permission); nothing else.
        return obj is None and request.user.has_perm("outbox.change_email")

    @admin.display(description="Kind", ordering="kind")
    def kind_name(self, email):
        return kind_label(email.kind)

    @admin.display(description="About")
    def about(self, email):
        if not email.about_type or email.about_id is None:
            return "—"
        app_label, model = email.about_type.split(".", 1)
        try:
            url = reverse(f"admin:{app_label}_{model}_change", args=[email.about_id])
        except NoReverseMatch:
            return f"{email.about_type} {email.about_id}"
        return format_html('<a href="{}">{} {}</a>', url, model.capitalize(), email.about_id)

    @admin.display(description="What the mail server said")
    def error(self, email):
        return email.last_error[:200] or "—"

    @admin.action(description="Send the selected failed emails again", permissions=["change"])
    def send_again(self, request, queryset):
        again = sum(
            email_send_again(email=email, acting_user=request.user)
            for email in queryset.filter(state=Email.State.FAILED)
        )
        left = queryset.count() - again
        self.message_user(
            request, f"{again} email{'s' if again != 1 else ''} will be sent again.", messages.SUCCESS
        )
        if left:
            self.message_user(
                request,
                f"{left} not failed, so left as they are (only a failed email is sent again).",
                messages.WARNING,
            )
