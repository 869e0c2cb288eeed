from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation


class Network(models.Model):
    """A community of practice: who it is for, how people join, and how often it meets."""

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone eligible can join"
        APPROVAL = "approval", "Approval: people apply and staff decide"
        INVITATION = "invitation", "Invitation only"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    class MeetingFrequency(models.TextChoices):
        MONTHLY = "monthly", "Meets monthly"
        BIMONTHLY = "bimonthly", "Meets every two months"
        QUARTERLY = "quarterly", "Meets quarterly"
        NONE = "none", "No regular meetings"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences, shown in lists.")
    description = models.TextField(blank=True, help_text="Markdown. Shown on the network's page.")
    audience = models.TextField("who it is for", blank=True)
    join_policy = models.CharField(max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    eligible_organisation_kinds = models.JSONField(
        default=list,
        blank=True,
        help_text="Organisation kinds that may join (borough, partner, supplier, other). Empty: any.",
    )
    discussion_url = models.URLField(
        "discussion space link", blank=True, help_text="For example its Basecamp project. Members only."
    )
    contact_email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    meeting_frequency = models.CharField(
        max_length=20, choices=MeetingFrequency.choices, default=MeetingFrequency.NONE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def accepts_organisation(self, organisation: Organisation | None) -> bool:
        if not self.eligible_organisation_kinds:
            return True
        return organisation is not None and organisation.kind in self.eligible_organisation_kinds


class Membership(models.Model):
    """One person's place in one network. Leaving and rejoining reuses the same row."""

    class Status(models.TextChoices):
        PENDING = "pending", "Application pending"
        ACTIVE = "active", "Member"
        DECLINED = "declined", "Application declined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"
        CO_CHAIR = "co_chair", "Co-chair"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    answers = models.JSONField(default=dict, blank=True, help_text="What the person said when applying.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "network"], name="networks_membership_unique_user_network"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(joined_at__isnull=False),
                name="networks_membership_active_has_joined_at",
            ),
        ]
        indexes = [models.Index(fields=["network", "status"])]

    def __str__(self):
        return f"{self.user} in {self.network}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
