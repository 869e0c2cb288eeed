from django.conf import settings
from django.db import models
from django.utils import timezone


class Email(models.Model):
    """One email the portal owes someone: written in the transaction of the change that causes
    it, claimed by one conditional UPDATE, sent by one task and swept by one periodic job.

    What it says is written when it is sent, from the data as it is then (see outbox.kinds); the
    row keeps only what it is about. `dedup_key`, when given, is unique: the database refuses a
    second row for the same reason (a reminder is once per meeting, person and offset).
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: refused by the mail server"
        SKIPPED = "skipped", "Not sent: no longer applies"

    kind = models.CharField(max_length=60, help_text="Which email it is (see outbox.kinds).")
    to = models.EmailField("to", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_emails",
        help_text="The person it is for, when they have an account.",
    )
    about_type = models.CharField(
        max_length=40, blank=True, help_text="What it is about, such as events.event (for staff's lists)."
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="The ids and choices it is written from.")
    dedup_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(
        default=timezone.now, help_text="Not sent before this time (a retry after a mail server failure)."
    )
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Last handed to a worker.")
    lease_until = models.DateTimeField(null=True, blank=True, help_text="A worker's claim ends then.")
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "available_at"], name="outbox_email_due"),
            models.Index(fields=["state", "lease_until"], name="outbox_email_leases"),
            models.Index(fields=["about_type", "about_id", "state"], name="outbox_email_about"),
            models.Index(fields=["claim_token"], name="outbox_email_claim"),
        ]

    def __str__(self):
        from .kinds import kind_label

        return f"{kind_label(self.kind)} to {self.to}"
