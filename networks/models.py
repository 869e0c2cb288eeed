from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from loti_portal.markdown import validate_markdown

from .cadence import (
    FREQUENCY_INTERVALS,
    WEEK_NAMES,
    WEEKDAY_NAMES,
    Cadence,
    cadence_describe,
    cadence_to_rrule,
)

# The furthest ahead a reminder may be set: a month.
MAX_REMINDER_OFFSET_HOURS = 24 * 31


def default_reminder_offsets() -> list[int]:
    """A new network's reminders: the portal's default (settings.REMINDER_OFFSETS_HOURS)."""
    return list(settings.REMINDER_OFFSETS_HOURS)


# Paths under /networks/ that are pages of their own, not networks.
RESERVED_SLUGS = {"yours", "choose", "invitations"}


class MeetingCadence(models.Model):
    """How something meets, edited as plain fields: a weekday of the month, a start time in London
    time and a length, from a first month, at a place or a joining link. Networks and mentoring's
    peer-support circles meet this way; networks.cadence makes the occurrences and the words.

    Each model keeps its own frequency field (CADENCE_FREQUENCY_FIELD) with the frequencies of
    networks.cadence (FREQUENCY_INTERVALS); any other value, or a missing part, means no cadence.
    """

    CADENCE_FREQUENCY_FIELD = "meeting_frequency"

    cadence_week = models.SmallIntegerField(
        "week of the month",
        null=True,
        blank=True,
        choices=[(number, name.capitalize()) for number, name in WEEK_NAMES.items()],
    )
    cadence_weekday = models.PositiveSmallIntegerField(
        "day of the week", null=True, blank=True, choices=list(enumerate(WEEKDAY_NAMES))
    )
    cadence_start_time = models.TimeField("start time (London)", null=True, blank=True)
    cadence_duration_minutes = models.PositiveIntegerField("length in minutes", default=90)
    cadence_starts_on = models.DateField(
        "first month",
        null=True,
        blank=True,
        help_text="Meetings start from this date; quarterly ones count from its month.",
    )
    meeting_venue = models.CharField("meeting place", max_length=300, blank=True)
    meeting_online_url = models.URLField("meeting joining link", blank=True)

    class Meta:
        abstract = True

    @classmethod
    def cadence_rule_field_names(cls) -> set[str]:
        """The fields whose change changes when the meetings are."""
        return {
            cls.CADENCE_FREQUENCY_FIELD,
            "cadence_week",
            "cadence_weekday",
            "cadence_start_time",
            "cadence_duration_minutes",
            "cadence_starts_on",
        }

    @property
    def cadence(self) -> Cadence | None:
        """The meeting cadence, or None when it has no regular meetings or a part is missing."""
        frequency = getattr(self, self.CADENCE_FREQUENCY_FIELD)
        if frequency not in FREQUENCY_INTERVALS or None in (
            self.cadence_week,
            self.cadence_weekday,
            self.cadence_start_time,
            self.cadence_starts_on,
        ):
            return None
        return Cadence(
            frequency=frequency,
            weekday=self.cadence_weekday,
            week=self.cadence_week,
            start_time=self.cadence_start_time,
            duration=timedelta(minutes=self.cadence_duration_minutes),
            starts_on=self.cadence_starts_on,
        )

    @property
    def cadence_in_words(self) -> str:
        """ "Meets on the second Tuesday of every month, 10:00–11:30", or nothing."""
        cadence = self.cadence
        return cadence_describe(cadence) if cadence else ""

    def clean_cadence_duration(self) -> dict[str, str]:
        if self.cadence_duration_minutes is not None and not 0 < self.cadence_duration_minutes <= 24 * 60:
            return {"cadence_duration_minutes": "A meeting lasts between 1 minute and 24 hours"}
        return {}


class Network(MeetingCadence):
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
    description = models.TextField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown. Shown on the network's page.",
    )
    description_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The description as safe HTML, rendered once when it is saved (loti_portal.markdown).",
    )
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
    # The cadence's fields come from MeetingCadence; the rule is stored as an RFC 5545 RRULE too.
    cadence_rrule = models.CharField("RRULE", max_length=200, blank=True, editable=False)
    meeting_capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    meetings_horizon_days = models.PositiveIntegerField("create meetings this many days ahead", default=183)
    reminder_offsets_hours = models.JSONField(
        "reminders (hours before)",
        default=default_reminder_offsets,
        blank=True,
        help_text="For example [168, 24]: a week and a day before. Empty: no reminders.",
    )
    asks_seniority = models.BooleanField(
        "ask applicants their seniority",
        default=False,
        help_text="For leaders' networks: the application form asks how senior the person is.",
    )
    leads_decide_applications = models.BooleanField(
        "leads decide applications",
        default=False,
        help_text="The network's leads and co-chairs may approve or decline applications on its "
        "“Manage this network” page, as staff do in admin.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("networks:network-detail", args=[self.slug])

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
        self._clean_cadence()

    def _clean_cadence(self):
        offsets = self.reminder_offsets_hours
        if not isinstance(offsets, list) or not all(
            isinstance(hours, int) and 0 < hours <= MAX_REMINDER_OFFSET_HOURS for hours in offsets
        ):
            raise ValidationError(
                {
                    "reminder_offsets_hours": "Give a list of whole numbers of hours between 1 and "
                    f"{MAX_REMINDER_OFFSET_HOURS}, such as [168, 24]."
                }
            )
        # The cadence's fields go together: all of week, day and time, or none of them (then the
        # network shows only its frequency and no meetings are made from it).
        parts = {
            "cadence_week": "Choose which week of the month it meets",
            "cadence_weekday": "Choose which day of the week it meets",
            "cadence_start_time": "Enter the time meetings start",
        }
        given = [field for field in parts if getattr(self, field) is not None]
        errors = {}
        if given:
            errors = {field: message for field, message in parts.items() if getattr(self, field) is None}
            if self.meeting_frequency == self.MeetingFrequency.NONE:
                errors["meeting_frequency"] = "Choose how often it meets, or clear the day and time"
            if self.cadence_starts_on is None:
                self.cadence_starts_on = timezone.localdate().replace(day=1)
        errors.update(self.clean_cadence_duration())
        if errors:
            raise ValidationError(errors)

    @property
    def cadence_in_words(self) -> str:
        """ "Meets on the second Tuesday of every month, 10:00–11:30", or the plain frequency."""
        return super().cadence_in_words or self.get_meeting_frequency_display()

    def cadence_rrule_from_fields(self) -> str:
        cadence = self.cadence
        return cadence_to_rrule(cadence) if cadence else ""

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def accepts_any_organisation(self) -> bool:
        """Whether people from any organisation (or none) may join: no kinds are named."""
        return not self.eligible_organisation_kinds

    def accepts_organisation(self, organisation: Organisation | None) -> bool:
        if self.accepts_any_organisation:
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
    reminders_enabled = models.BooleanField(
        "meeting reminders",
        default=True,
        help_text="Whether this person gets reminders of this network's meetings.",
    )
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
        indexes = [
            models.Index(fields=["network", "status"]),
            # A network's leads, found without reading its whole roster.
            models.Index(fields=["network", "role", "status"]),
        ]

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


class NetworkMessage(models.Model):
    """A message a lead (or staff) sent to a network's active members, with a copy to staff."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject
