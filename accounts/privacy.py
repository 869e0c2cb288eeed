"""Accounts' part of "download my data" and of deleting an account (privacy.services): the
profile, the organisation, the sign-in addresses; and the scrubbing of a deleted person's name and
addresses from the audit log and admin history."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, TextField
from django.db.models.functions import Cast

from .models import AuditEntry, OrganisationRequest, User

DELETED = "Deleted account"

# Keys of audit entries' data that hold what a person wrote or who they are.
_PERSONAL_AUDIT_KEYS = {"answers", "email", "reason", "requested_organisation_name"}


def accounts_data_export(*, user: User) -> dict[str, Any]:
    """Their profile, sign-in addresses and organisation (or the one they asked to be added).
    Two queries."""
    person = User.objects.select_related("organisation").get(pk=user.pk)
    organisation = person.organisation
    return {
        "profile": {
            "full_name": person.full_name,
            "email": person.email,
            "job_title": person.job_title,
            "show_name_to_attendees": person.show_name_to_attendees,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=person).order_by("-primary", "email")
            ],
        },
        "organisation": {
            "name": organisation.name,
            "kind": organisation.get_kind_display(),
            "loti_membership": organisation.get_membership_status_display(),
        }
        if organisation
        else None,
        "requested_organisation_name": person.requested_organisation_name,
    }


def account_emails(*, user: User) -> set[str]:
    """Every address the person signs in with or was written to at, in lower case."""
    addresses = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    return {user.email.lower()} | {address.lower() for address in addresses}


def accounts_data_delete(*, user: User, emails: set[str]) -> dict[type[Model], list[int]]:
    """Delete the person's sign-in addresses. Their organisation requests go with the user row,
    which privacy.services deletes last. Returns the rows whose history names them."""
    EmailAddress.objects.filter(user=user).delete()
    return {
        User: [user.pk],
        OrganisationRequest: list(OrganisationRequest.objects.filter(user=user).values_list("pk", flat=True)),
    }


def history_scrub(*, targets: dict[type[Model], list[int]], names: list[str], emails: set[str]) -> None:
    """Remove a person's name and email address from the audit log and admin history, keeping
    the record of what happened."""

    def scrub(text: str) -> str:
        for value in [*names, *emails]:
            if value:
                text = _replace_ignoring_case(text, value, DELETED)
        return text

    about_them = Q()
    for model, ids in targets.items():
        if ids:
            about_them |= Q(target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in ids])
    # Entries about something else that name them: an invitation to an event keeps the invitee's
    # address in its data, a roster change their name in its description.
    mentions = Q()
    for value in [*emails, *(name for name in names if len(name) >= 5)]:
        mentions |= Q(target_repr__icontains=value) | Q(data_text__icontains=value)
    entries = (
        AuditEntry.objects.annotate(data_text=Cast("data", TextField())).filter(about_them | mentions)
        if about_them or mentions
        else []
    )
    for entry in entries:
        entry.target_repr = scrub(entry.target_repr)[:300]
        entry.data = _scrub_data(entry.data, scrub)
        entry.save(update_fields=["target_repr", "data"])

    content_types = ContentType.objects.get_for_models(*targets)
    logged = Q()
    for model, ids in targets.items():
        if ids:
            logged |= Q(content_type=content_types[model], object_id__in=[str(pk) for pk in ids])
    for log_entry in LogEntry.objects.filter(logged) if logged else []:
        log_entry.object_repr = scrub(log_entry.object_repr)[:200]
        log_entry.save(update_fields=["object_repr"])


def _scrub_data(data: Any, scrub) -> Any:
    if isinstance(data, dict):
        kept = {key: value for key, value in data.items() if key not in _PERSONAL_AUDIT_KEYS}
        return {key: _scrub_data(value, scrub) for key, value in kept.items()}
    if isinstance(data, list):
        return [_scrub_data(value, scrub) for value in data]
    if isinstance(data, str):
        return scrub(data)
    return data


def _replace_ignoring_case(text: str, old: str, new: str) -> str:
    lowered, target = text.lower(), old.lower()
    if len(lowered) != len(text):  # a character whose lower case has another length: exact only
        return text.replace(old, new)
    parts, start = [], 0
    while (found := lowered.find(target, start)) != -1:
        parts.append(text[start:found])
        parts.append(new)
        start = found + len(old)
    parts.append(text[start:])
    return "".join(parts)
