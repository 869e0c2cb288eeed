from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organisation


class OrganisationLead(models.Model):
    """Someone staff made a lead of their organisation: they see its people, their networks and
    sessions (never their answers), invite colleagues and decide colleagues' organisation claims."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_leads"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="leads")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = "organisation lead"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisations_lead_unique_user_org"
            )
        ]

    def __str__(self):
        return f"{self.user} leads {self.organisation}"
