from django.db import transaction
from django.db.models import Model

from .models import AuditEntry, Organisation, User
from .selectors import organisation_for_email


def audit_record(*, actor: User | None, action: str, target: Model, data: dict | None = None) -> AuditEntry:
    """Record who did what to which object. Call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        data=data or {},
    )


@transaction.atomic
def user_complete_profile(
    *,
    user: User,
    full_name: str,
    job_title: str,
    chosen_organisation: Organisation | None = None,
    requested_organisation_name: str = "",
) -> User:
    """Fill in a new account's profile and link it to its organisation.

    The email's domain decides the organisation when it matches one; the person's choice or a
    named new organisation is used only when it does not.
    """
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    matched = organisation_for_email(email=user.email)
    if matched is not None:
        user.organisation = matched
        user.requested_organisation_name = ""
    elif chosen_organisation is not None:
        user.organisation = chosen_organisation
        user.requested_organisation_name = ""
    else:
        user.organisation = None
        user.requested_organisation_name = requested_organisation_name.strip()
    user.save()
    audit_record(
        actor=user,
        action="accounts.user.signed_up",
        target=user,
        data={
            "organisation": user.organisation.name if user.organisation else None,
            "requested_organisation_name": user.requested_organisation_name,
        },
    )
    return user


@transaction.atomic
def user_update_profile(
    *, user: User, full_name: str, job_title: str, show_name_to_attendees: bool | None = None
) -> User:
    """Change a person's own details; `show_name_to_attendees` is left as it is when None.
    The audit entry records a change of that choice."""
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    fields = ["full_name", "job_title"]
    data = {}
    if show_name_to_attendees is not None:
        # Compared with what is stored: a bound ModelForm has already changed the instance.
        stored = User.objects.values_list("show_name_to_attendees", flat=True).get(pk=user.pk)
        user.show_name_to_attendees = show_name_to_attendees
        fields.append("show_name_to_attendees")
        if stored != show_name_to_attendees:
            data["show_name_to_attendees"] = show_name_to_attendees
    user.save(update_fields=fields)
    audit_record(actor=user, action="accounts.user.profile_updated", target=user, data=data)
    return user


@transaction.atomic
def user_sync_organisation_from_email(*, user: User) -> User:
    """After a change of primary email, link the account to the new domain's organisation."""
    matched = organisation_for_email(email=user.email)
    if matched is not None and matched != user.organisation:
        user.organisation = matched
        user.requested_organisation_name = ""
        user.save(update_fields=["organisation", "requested_organisation_name"])
        audit_record(
            actor=user,
            action="accounts.user.organisation_changed",
            target=user,
            data={"organisation": matched.name},
        )
    return user
