from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation

# Paths under /networks/ that are pages of their own, not networks.
RESERVED_SLUGS = {"yours", "choose", "invitations"}


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
    asks_seniority = models.BooleanField(
        "ask applicants their seniority",
        default=False,
        help_text="For leaders' networks: the application form asks how senior the person is.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is the address of another page: choose another slug."}
            )
        kinds = self.eligible_organisation_kinds
        if not isinstance(kinds, list) or not set(kinds) <= set(Organisation.Kind.values):
            raise ValidationError(
                {"eligible_organisation_kinds": "Choose organisation kinds from the list, or none."}
            )

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def eligible_organisation_kind_labels(self) -> list[str]:
        return [Organisation.Kind(kind).label for kind in self.eligible_organisation_kinds]

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

    class Seniority(models.TextChoices):
        EXECUTIVE = "executive", "Chief officer, director or equivalent"
        HEAD_OF_SERVICE = "head_of_service", "Head of service or assistant director"
        SENIOR_MANAGER = "senior_manager", "Senior manager"
        MANAGER = "manager", "Manager or team lead"
        OTHER = "other", "Other"

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
    applied_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
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

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_current(self) -> bool:
        """A member, or waiting for a decision: the person is (or may soon be) in the network."""
        return self.status in (self.Status.ACTIVE, self.Status.PENDING)

    @property
    def seniority_label(self) -> str:
        value = self.answers.get("seniority", "")
        return self.Seniority(value).label if value in self.Seniority.values else value


class PendingApplication(Membership):
    """Applications waiting for a decision: their own page in admin, so they are easy to find."""

    class Meta:
        proxy = True
        verbose_name = "pending application"
        verbose_name_plural = "pending applications"


class NetworkInvitation(models.Model):
    """An emailed link that lets one person join an invitation-only network, once, before it expires."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="networks_invitation_expires_after_created",
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.email} to {self.network}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class NetworkEmail(models.Model):
    """An email the networks app owes someone, written in the same transaction as the change it
    reports. The sending task claims it (sets sent_at) before sending, so it goes out once."""

    class Kind(models.TextChoices):
        APPLICATION_RECEIVED = "application_received", "Application received (to the applicant)"
        APPLICATION_TO_STAFF = "application_to_staff", "New application (to staff)"
        APPLICATION_APPROVED = "application_approved", "Application approved"
        APPLICATION_DECLINED = "application_declined", "Application declined"
        JOINED = "joined", "Welcome to the network"
        INVITATION = "invitation", "Invitation"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    invitation = models.ForeignKey(
        NetworkInvitation, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    recipient = models.EmailField()
    data = models.JSONField(default=dict, blank=True, help_text="What the email says, as of the change.")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False) | Q(invitation__isnull=False),
                name="networks_email_has_subject",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient}"
