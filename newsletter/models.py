from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

BODY_MAX_LENGTH = 20_000


class Subscriber(models.Model):
    """An address that asked for the monthly newsletter. A sign-up is pending until its owner
    follows the confirmation link (double opt-in); pending ones are deleted after 7 days and
    unsubscribed ones after 30 (a hash of the address is kept, see UnsubscribedAddress)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        SUBSCRIBED = "subscribed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        SUPPRESSED = "suppressed", "Suppressed: the address was refused"

    email = models.EmailField(max_length=254, unique=True, help_text="Stored in lower case.")
    name = models.CharField(max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="newsletter_subscriptions",
        help_text="The member who subscribed with their account, if any.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    consented_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.TextField(blank=True, help_text="What the mail server said.")

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["status", "created_at"], name="newsletter_subscriber_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="subscriber_email_lower")
        ]

    def __str__(self):
        return self.email


class UnsubscribedAddress(models.Model):
    """What is left of an unsubscribed address after 30 days: a keyed hash, so the portal can
    still tell that this address asked to stop, without keeping the address."""

    email_hash = models.CharField(max_length=64, unique=True)
    unsubscribed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "unsubscribed address (hashed)"
        verbose_name_plural = "unsubscribed addresses (hashed)"

    def __str__(self):
        return self.email_hash[:12]


class Issue(models.Model):
    """One issue of the monthly newsletter, written by staff in admin."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=150)
    body = models.TextField(
        help_text="Markdown: ## for headings, * for bullet points, [words](https://…) for links.",
        max_length=BODY_MAX_LENGTH,
    )
    coming_up = models.BooleanField(
        "add a “Coming up” list",
        default=True,
        help_text="Lists the next public sessions (never members-only or invitation-only ones).",
    )
    coming_up_count = models.PositiveSmallIntegerField(
        "sessions in “Coming up”", default=5, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    coming_up_event_ids = models.JSONField(default=list, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True, help_text="When it goes out (London time).")
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-created_at"]
        indexes = [models.Index(fields=["status", "send_at"], name="newsletter_issue_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(send_at__isnull=False),
                name="issue_scheduled_has_send_at",
            )
        ]

    def __str__(self):
        return self.subject


class NetworkDigest(models.Model):
    """A member asked for the weekly "new sessions" digest of a network. Off unless a row exists."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_digests"
    )
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "network"], name="network_digest_once")]

    def __str__(self):
        return f"{self.network} digest for {self.user}"


class SessionPublished(models.Model):
    """When the portal first saw a session published: digests list the sessions first seen in
    their week. Recorded hourly (and before each digest run) by `sessions_record_published`."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.event_id} at {self.first_seen_at}"
