"""Monthly rollups the engagement dashboard reads, so no chart is computed from raw rows per
request: one row per month, network and organisation, rewritten by a beat job (services.py)."""

from django.db import models
from django.utils import timezone

from accounts.models import Organisation
from networks.models import Network


class MonthlyAttendance(models.Model):
    """Places at the sessions that started in one month (London time), for one network (or none:
    sessions of no network) and one organisation (or none: guests and people of no organisation)."""

    month = models.DateField(help_text="The first day of the month.")
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    registered = models.PositiveIntegerField(
        default=0, help_text="Places taken and kept (confirmed, attended or did not attend)."
    )
    attended = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField("did not attend", default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month"]
        indexes = [models.Index(fields=["month"])]

    def __str__(self):
        return f"Attendance in {self.month:%B %Y}"


class MonthlyMembership(models.Model):
    """One network's members from one organisation (or none) in one month: how many joined in it
    and how many were members at its end."""

    month = models.DateField(help_text="The first day of the month.")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    joined = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0, help_text="Members at the end of the month.")
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month"]
        indexes = [models.Index(fields=["month"])]

    def __str__(self):
        return f"Members in {self.month:%B %Y}"
