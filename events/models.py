from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Event(models.Model):
    """A session (discovery findings, demo, training, careers day…) or a network meeting."""

    class Kind(models.TextChoices):
        NETWORK_MEETING = "network_meeting", "Network meeting"
        DISCOVERY = "discovery", "Discovery findings session"
        DEMO = "demo", "Supplier demo"
        TRAINING = "training", "Training course"
        CAREERS_DAY = "careers_day", "Careers day"
        OTHER = "other", "Other"

    class Audience(models.TextChoices):
        SIGNED_IN = "signed_in", "Anyone signed in"
        BOROUGH_STAFF = "borough_staff", "Borough staff only"
        NETWORK_MEMBERS = "network_members", "Members of the network"
        INVITATION = "invitation", "Invitation only"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    network = models.ForeignKey(
        "networks.Network", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    programme = models.CharField(
        max_length=200, blank=True, help_text="For example the Digital Inclusion Innovation Programme."
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    venue = models.CharField("address", max_length=300, blank=True)
    online_url = models.URLField(
        "online joining link", blank=True, help_text="Shown to confirmed registrants only."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    registration_opens = models.DateTimeField(null=True, blank=True)
    registration_closes = models.DateTimeField(null=True, blank=True)
    audience = models.CharField(max_length=30, choices=Audience.choices, default=Audience.SIGNED_IN)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: raised when the time or place of a published event changes."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="events_event_end_after_start"),
        ]
        indexes = [models.Index(fields=["status", "start"]), models.Index(fields=["network", "start"])]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_closes <= self.registration_opens
        ):
            raise ValidationError({"registration_closes": "Registration must close after it opens."})
        if self.audience == self.Audience.NETWORK_MEMBERS and not self.network_id:
            raise ValidationError({"network": "Choose the network whose members may register."})


class Registration(models.Model):
    """One person's place (or place in the queue) at one event."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_registration_unique_event_user"),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self):
        return f"{self.user or 'Deleted account'} at {self.event}"
