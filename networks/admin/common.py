"""What the networks admin pages share: the audit trail of an object, roster downloads, the
person columns of a membership list."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from accounts.models import AuditEntry
from loti_portal.csv_export import csv_response

from .. import services


def audit_history(obj) -> str:
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


def roster_csv(request, networks):
    header, rows = services.roster_export(networks=list(networks), acting_user=request.user)
    name = networks[0].slug if len(networks) == 1 else "networks"
    return csv_response(filename=f"{name}-roster.csv", header=header, rows=rows)


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
