"""Staff write and send newsletter issues, and see every subscriber, including the addresses the
mail server refused (suppressed)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from loti_portal.admin import NamedDateTimeHalvesMixin, ReadOnlyAdmin
from loti_portal.emails import email_build

from .emails import issue_email_context
from .models import Issue, Subscriber, UnsubscribedAddress
from .selectors import issue_coming_up
from .services import issue_schedule, issue_send_test, issue_unschedule, subscriber_unsubscribe


@admin.register(Issue)
class IssueAdmin(NamedDateTimeHalvesMixin, admin.ModelAdmin):
    list_display = ["subject", "status", "send_at", "sent_at", "recipients"]
    list_filter = ["status"]
    search_fields = ["subject"]
    fields = [
        "subject",
        "body",
        "coming_up",
        "coming_up_count",
        "send_at",
        "status",
        "preview_link",
        "sent_at",
        "recipients",
    ]
    readonly_fields = ["status", "preview_link", "sent_at", "recipients"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status in (Issue.Status.SENDING, Issue.Status.SENT):
            return self.fields
        return self.readonly_fields

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if obj is None or obj.pk is None:
            return "Save the issue to preview it."
        url = reverse("admin:newsletter_issue_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview the email (opens in a new tab)</a>',
            url,
        )

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        here = HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[obj.pk]))
        if "_preview" in request.POST:
            return HttpResponseRedirect(reverse("admin:newsletter_issue_preview", args=[obj.pk]))
        if "_send_test" in request.POST:
            issue_send_test(issue=obj, acting_user=request.user)
            self.message_user(request, f"A test has been sent to {request.user.email}.", messages.SUCCESS)
            return here
        if "_schedule" in request.POST:
            send_at = obj.send_at or timezone.now()
            issue_schedule(issue=obj, send_at=send_at, acting_user=request.user)
            when = timezone.localtime(send_at).strftime("%-d %B %Y at %H:%M")
            self.message_user(request, f"“{obj.subject}” will be sent on {when}.", messages.SUCCESS)
            return here
        if "_unschedule" in request.POST:
            issue_unschedule(issue=obj, acting_user=request.user)
            self.message_user(
                request, f"“{obj.subject}” is a draft again and will not be sent.", messages.SUCCESS
            )
            return here
        return super().response_change(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletter_issue_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id):
        """The HTML email exactly as subscribers will get it (unsubscribe link aside)."""
        issue = get_object_or_404(Issue, pk=unquote(object_id))
        if not self.has_view_permission(request, issue):
            return HttpResponse(status=403)
        context = issue_email_context(issue=issue, coming_up=issue_coming_up(issue=issue))
        message = email_build(
            template="newsletter-issue",
            to=[request.user.email],
            context={**context, "unsubscribe_url": context["archive_url"]},
        )
        html, _ = message.alternatives[0]
        return HttpResponse(html)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "status", "created_at", "confirmed_at", "suppressed_reason"]
    list_filter = ["status"]
    search_fields = ["email", "name"]
    actions = ["unsubscribe"]
    readonly_fields = [field.name for field in Subscriber._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Unsubscribe the selected addresses")
    def unsubscribe(self, request, queryset):
        for subscriber in queryset:
            subscriber_unsubscribe(subscriber=subscriber)
        self.message_user(request, f"{queryset.count()} unsubscribed.", messages.SUCCESS)


@admin.register(UnsubscribedAddress)
class UnsubscribedAddressAdmin(ReadOnlyAdmin):
    list_display = ["email_hash", "unsubscribed_at"]
