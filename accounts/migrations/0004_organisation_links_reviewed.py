"""Existing links to an organisation are kept only where the person's address is on one of its
domains. The others were made by a choice from the list at sign-up, which proves nothing: they
become requests awaiting review in admin (Organisation requests), without an email each to staff.
Staff accounts are left as they are."""

from django.db import migrations
from django.utils import timezone


def _organisation_id_for(email, domains):
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    labels = domain.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    matches = [candidate for candidate in candidates if candidate in domains]
    return domains[max(matches, key=len)] if matches else None


def review_existing_links(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    OrganisationDomain = apps.get_model("accounts", "OrganisationDomain")
    OrganisationRequest = apps.get_model("accounts", "OrganisationRequest")
    domains = dict(OrganisationDomain.objects.values_list("domain", "organisation_id"))
    now = timezone.now()
    for user in User.objects.filter(organisation__isnull=False).select_related("organisation"):
        if _organisation_id_for(user.email, domains) == user.organisation_id:
            user.organisation_decided_for = user.email.lower()
            user.save(update_fields=["organisation_decided_for"])
        elif not user.is_staff:
            OrganisationRequest.objects.filter(user=user, status="pending").delete()
            OrganisationRequest.objects.create(
                user=user,
                organisation=user.organisation,
                name=user.organisation.name,
                source="chose",
                email=user.email,
                staff_notified_at=now,
            )
            user.requested_organisation_name = user.organisation.name
            user.organisation = None
            user.save(update_fields=["organisation", "requested_organisation_name"])
    for user in User.objects.filter(organisation__isnull=True).exclude(requested_organisation_name=""):
        if not OrganisationRequest.objects.filter(user=user, status="pending").exists():
            OrganisationRequest.objects.create(
                user=user,
                name=user.requested_organisation_name,
                source="named",
                email=user.email,
                staff_notified_at=now,
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_organisation_requests")]

    operations = [migrations.RunPython(review_existing_links, migrations.RunPython.noop)]
