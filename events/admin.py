from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from loti_portal import versions
from loti_portal.admin import (
    LabelledTabularInline,
    NamedDateTimeHalvesMixin,
    PagesRenewedMixin,
    ValuesWithBlankFieldListFilter,
)
from loti_portal.csv_export import csv_response
from networks.models import Network
from outbox.admin import email_counts_annotation, emails_summary

from .emails import REMINDER
from .formatting import format_datetime
from .forms import EmailRegistrantsForm
from .models import Event, Invitation, Question, Registration, Speaker
from .reminders import reminder_recipients_count, reminders_send_due_now_for_event, reminders_to_come
from .services import (
    RegistrationRefused,
    event_attendees_export,
    event_cancel,
    event_duplicate,
    event_fill_from_waitlist,
    event_message_registrants,
    event_save,
    invitations_announce,
    registration_mark_attendance,
    registration_promote,
)


class SpeakerInline(LabelledTabularInline):
    model = Speaker
    extra = 0
    fields = ["name", "organisation", "role", "position"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [("text", "kind", "required", "position"), "hint", "options"]


class InvitationFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            email = (form.cleaned_data.get("email") or "").strip().lower()
            if email in seen:
                form.add_error("email", f"{email} is already invited.")
            seen.add(email)


class InvitationInline(LabelledTabularInline):
    model = Invitation
    formset = InvitationFormSet
    extra = 0
    fields = ["email", "invited_by", "created_at", "emailed"]
    readonly_fields = ["invited_by", "created_at", "emailed"]
    verbose_name_plural = "invitations (used when the audience is invitation only)"

    @admin.display(description="Invitation email")
    def emailed(self, invitation):
        if invitation.pk is None:
            return "—"
        from outbox.models import Email

        email = Email.objects.filter(dedup_key=f"events.invitation:{invitation.pk}").first()
        if email is None:
            return "Not emailed"
        return email.get_state_display() + (f" {email.sent_at:%Y-%m-%d %H:%M}" if email.sent_at else "")


class RegistrationInline(LabelledTabularInline):
    """Who registered, read-only: changes go through the actions on the registrations list."""

    model = Registration
    extra = 0
    can_delete = False
    fields = ["person", "organisation", "status", "waitlist_position", "access_needs", "created_at"]
    readonly_fields = fields
    ordering = ["status", "waitlist_position", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "user__organisation")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Person")
    def person(self, registration):
        if registration.is_guest and not registration.guest_email:
            return f"{registration.guest_name} (guest, added at check-in)"
        if registration.is_guest:
            return f"{registration.guest_name} <{registration.guest_email}> (guest)"
        if registration.user is None:
            return "Deleted account"
        return f"{registration.user.full_name} <{registration.user.email}>"

    @admin.display(description="Organisation")
    def organisation(self, registration):
        user = registration.user
        if registration.is_guest:
            return "Guest, no account"
        return user.organisation if user and user.organisation else "—"


@admin.register(Event)
class EventAdmin(PagesRenewedMixin, NamedDateTimeHalvesMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "start",
        "status",
        "audience",
        "capacity",
        "confirmed",
        "waiting",
        "reminders",
        "reminders_coming",
    ]
    list_filter = ["status", "kind", "audience", "network", ("programme", ValuesWithBlankFieldListFilter)]
    search_fields = ["title", "summary", "programme"]
    date_hierarchy = "start"
    list_select_related = ["network"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "sequence",
        "registrations_link",
        "reminders_summary",
        "emails_summary",
        "created_at",
        "updated_at",
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SpeakerInline, QuestionInline, InvitationInline, RegistrationInline]
    actions = [
        "export_attendees",
        "email_registrants",
        "promote_from_waitlist",
        "duplicate",
        "cancel_events",
        "send_due_reminders_now",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "kind", "network", "programme"]}),
        ("When and where", {"fields": ["start", "end", "mode", "venue", "online_url"]}),
        (
            "Registration",
            {
                "fields": [
                    "status",
                    "audience",
                    "capacity",
                    "online_capacity",
                    "waitlist_offer_hours",
                    "registration_opens",
                    "registration_closes",
                    "registrations_link",
                ]
            },
        ),
        ("Reminders and emails", {"fields": ["reminders_summary", "emails_summary"]}),
        ("Certificates", {"fields": ["certificates_enabled"]}),
        ("Record", {"fields": ["sequence", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_total=Count(
                    "registrations", filter=Q(registrations__status__in=Registration.HOLDS_PLACE_STATUSES)
                ),
                waiting_total=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
                ),
                # Subqueries, not joins: a join would multiply the registration counts above.
                **email_counts_annotation(prefix="reminders", about_type="events.event", kinds=[REMINDER]),
            )
        )

    @admin.display(description="Reminders sent / waiting / failed")
    def reminders(self, event):
        waiting = event.reminders_pending + event.reminders_sending
        return f"{event.reminders_sent} / {waiting} / {event.reminders_failed}"

    @admin.display(description="Reminders to come")
    def reminders_coming(self, event):
        coming = reminders_to_come(event=event, with_due=False)
        if not coming:
            return "—"
        return ", ".join(f"{hours} h before" for _, hours in coming)

    @admin.display(description="Reminders")
    def reminders_summary(self, event):
        if event.pk is None:
            return "—"
        sent = emails_summary(about=event, kinds=[REMINDER], noun="reminder")
        coming = reminders_to_come(event=event)
        if not coming:
            return sent
        people = reminder_recipients_count(event)
        items = format_html_join(
            "",
            "<li>{} hours before the start: {}, to the {} {} who would get it now</li>",
            (
                (hours, format_datetime(when), people, "person" if people == 1 else "people")
                for when, hours in coming
            ),
        )
        return format_html("{}<p>Still to be sent:</p><ul>{}</ul>", sent, items)

    @admin.display(description="Emails")
    def emails_summary(self, event):
        if event.pk is None:
            return "—"
        return emails_summary(about=event)

    @admin.action(description="Send the reminders that are due now")
    def send_due_reminders_now(self, request, queryset):
        written = sum(
            reminders_send_due_now_for_event(event=event, acting_user=request.user) for event in queryset
        )
        self.message_user(
            request,
            f"{written} reminder{'s' if written != 1 else ''} written and queued for sending. "
            "Reminders already sent are not sent again.",
            messages.SUCCESS,
        )

    @admin.display(description="Confirmed", ordering="confirmed_total")
    def confirmed(self, event):
        return event.confirmed_total

    @admin.display(description="Waiting", ordering="waiting_total")
    def waiting(self, event):
        return event.waiting_total

    @admin.display(description="Registrations")
    def registrations_link(self, event):
        if event.pk is None:
            return "—"
        url = reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}"
        return format_html(
            '<a href="{}">Manage the registrations</a> (mark attendance, promote from the waiting list)', url
        )

    def save_model(self, request, obj, form, change):
        event_save(event=obj, acting_user=request.user)

    def pages_changed(self, rows):
        network_ids = {event.network_id for event in rows} - {None}
        versions.events_changed(
            slugs=[event.slug for event in rows],
            network_slugs=Network.objects.filter(pk__in=network_ids).values_list("slug", flat=True)
            if network_ids
            else [],
        )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        invited = []
        for instance in instances:
            if isinstance(instance, Invitation) and instance.pk is None:
                instance.invited_by = request.user
                invited.append(instance)
            instance.save()
        if invited:
            invitations_announce(invitations=invited, acting_user=request.user)
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    @admin.action(description="Export attendees as CSV")
    def export_attendees(self, request, queryset):
        header, rows = event_attendees_export(events=queryset, acting_user=request.user)
        events = list(queryset)
        filename = f"attendees-{events[0].slug}.csv" if len(events) == 1 else "attendees.csv"
        return csv_response(filename=filename, header=header, rows=rows)

    @admin.action(description="Email the registrants")
    def email_registrants(self, request, queryset):
        form = EmailRegistrantsForm(request.POST if "send" in request.POST else None)
        if form.is_valid():
            total = sum(
                event_message_registrants(
                    event=event,
                    recipients=form.cleaned_data["recipients"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    acting_user=request.user,
                )
                for event in queryset
            )
            self.message_user(request, f"Your message is on its way to {total} people.", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/events/event/email_registrants.html",
            {
                **self.admin_site.each_context(request),
                "title": "Email the registrants",
                "opts": self.model._meta,
                "form": form,
                "events": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Promote from the waiting list into free places")
    def promote_from_waitlist(self, request, queryset):
        promoted = sum(
            len(event_fill_from_waitlist(event=event, acting_user=request.user)) for event in queryset
        )
        self.message_user(request, f"{promoted} people got a place from the waiting list.", messages.SUCCESS)

    @admin.action(description="Duplicate as a draft")
    def duplicate(self, request, queryset):
        copies = [event_duplicate(event=event, acting_user=request.user) for event in queryset]
        self.message_user(
            request, "Created drafts: " + ", ".join(copy.slug for copy in copies) + ".", messages.SUCCESS
        )

    @admin.action(description="Cancel the events and tell the registrants")
    def cancel_events(self, request, queryset):
        for event in queryset:
            event_cancel(event=event, acting_user=request.user)
        self.message_user(request, f"Cancelled {queryset.count()} events.", messages.SUCCESS)

    # Deleting an event would remove its registrations without telling anyone: an event that has
    # any is cancelled instead, and both ways of deleting say so in words.
    def _delete_refused(self, request, events):
        events = list(events.annotate(registration_total=Count("registrations")))
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel instead of deleting",
            "opts": self.model._meta,
            "events": events,
            "cancellable": [event for event in events if event.status != Event.Status.CANCELLED],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/event/delete_refused.html", context)

    def delete_view(self, request, object_id, extra_context=None):
        held = Event.objects.filter(pk=unquote(object_id), registrations__isnull=False).distinct()
        if self.has_delete_permission(request) and held.exists():
            return self._delete_refused(request, held)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description="Delete selected events")
    def delete_selected(self, request, queryset):
        held = queryset.filter(registrations__isnull=False).distinct()
        if held.exists():
            return self._delete_refused(request, held)
        return delete_selected(self, request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = self.get_action("delete_selected")
        return actions


class GuestFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "guest"

    def lookups(self, request, model_admin):
        return [("yes", "Guests, without an account"), ("no", "Members, with an account")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(user__isnull=True).exclude(guest_email="")
        if self.value() == "no":
            return queryset.filter(user__isnull=False)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(PagesRenewedMixin, admin.ModelAdmin):
    """Registrations are made by people (or staff promoting them); here staff record attendance."""

    list_display = ["person", "event", "status", "waitlist_position", "created_at", "promoted_at"]
    list_filter = ["status", GuestFilter, ("event", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "event"]
    search_fields = ["user__email", "user__full_name", "guest_email", "guest_name", "event__title"]
    ordering = ["event__start", "status", "waitlist_position", "created_at"]
    actions = ["mark_attended", "mark_no_show", "promote"]
    readonly_fields = [
        "event",
        "user",
        "guest_name",
        "guest_email",
        "access_needs",
        "status",
        "waitlist_position",
        "answers",
        "created_at",
        "updated_at",
        "mode",
        "cancelled_at",
        "promoted_at",
        "offer_expires_at",
        "joined_at",
        "sequence",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Person", ordering="user__full_name")
    def person(self, registration):
        return registration.person_name

    def pages_changed(self, rows):
        # The events' pages and counts, and what each person sees of their place.
        slugs = Event.objects.filter(pk__in={row.event_id for row in rows}).values_list("slug", flat=True)
        versions.events_changed(slugs=slugs)
        for user_id in {row.user_id for row in rows} - {None}:
            versions.person_changed(user_id=user_id)

    def _apply(self, request, queryset, change, done):
        changed, refused = 0, []
        for registration in queryset:
            try:
                change(registration)
                changed += 1
            except RegistrationRefused as reason:
                refused.append(str(reason))
        if changed:
            self.message_user(request, f"{done}: {changed}.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)

    @admin.action(description="Mark as attended")
    def mark_attended(self, request, queryset):
        def change(registration):
            registration_mark_attendance(registration=registration, attended=True, acting_user=request.user)

        self._apply(request, queryset, change, "Marked as attended")

    @admin.action(description="Mark as did not attend")
    def mark_no_show(self, request, queryset):
        def change(registration):
            registration_mark_attendance(registration=registration, attended=False, acting_user=request.user)

        self._apply(request, queryset, change, "Marked as did not attend")

    @admin.action(description="Give a place from the waiting list (raises the capacity if full)")
    def promote(self, request, queryset):
        def change(registration):
            registration_promote(registration=registration, acting_user=request.user)

        self._apply(request, queryset, change, "Given a place")
