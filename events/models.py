from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from loti_portal.markdown import validate_markdown

# Paths under /events/ that an event's slug must not take.
RESERVED_SLUGS = {"past", "mine", "calendar", "networks", "join"}


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
        PUBLIC = "public", "Anyone, including people outside London government"
        SIGNED_IN = "signed_in", "Anyone signed in"
        BOROUGH_STAFF = "borough_staff", "Borough staff only"
        NETWORK_MEMBERS = "network_members", "Members of the network"
        INVITATION = "invitation", "Invitation only"

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Hybrid: in person or online"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown.",
    )
    description_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The description as safe HTML, rendered once when it is saved (loti_portal.markdown).",
    )
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
    mode = models.CharField(
        "how people attend",
        max_length=20,
        choices=Mode.choices,
        default=Mode.IN_PERSON,
        help_text="A hybrid session asks each registrant whether they come in person or join online.",
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: no limit. For a hybrid session: the places in the room."
    )
    online_capacity = models.PositiveIntegerField(
        "online places",
        null=True,
        blank=True,
        help_text="For a hybrid session: the places online. Empty: no limit online.",
    )
    waitlist_offer_hours = models.PositiveSmallIntegerField(
        "offer freed places for (hours)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text="Empty: a freed place goes at once to the first person waiting. A number of hours: "
        "the place is offered to them by email, to accept or decline, and passes to the next person "
        "if they do not answer in time.",
    )
    certificates_enabled = models.BooleanField(
        "certificates of attendance",
        default=True,
        help_text="Training courses only: people who attended may download a certificate with a "
        "code anyone can check. Untick to offer none for this session.",
    )
    registration_opens = models.DateTimeField(null=True, blank=True)
    registration_closes = models.DateTimeField(null=True, blank=True)
    audience = models.CharField(max_length=30, choices=Audience.choices, default=Audience.SIGNED_IN)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    occurrence_date = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="For a meeting made from the network's cadence: the occurrence it stands for.",
    )
    staff_edited = models.BooleanField(
        default=False,
        editable=False,
        help_text="Set when staff change a generated meeting, so a change of cadence leaves it alone.",
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: raised when the time or place of a published event changes."
    )
    # Kept by the registration services in the transaction of each change (events.services.counts),
    # so pages show them without reading registrations. Offers open count as places taken.
    places_taken = models.PositiveIntegerField(
        default=0, editable=False, help_text="Places held, or kept for someone offered one."
    )
    online_places_taken = models.PositiveIntegerField(
        default=0, editable=False, help_text="For a hybrid session: those of the places taken online."
    )
    waiting_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="People on the waiting list (with an offer or not)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="events_event_end_after_start"),
            models.UniqueConstraint(
                fields=["network", "occurrence_date"],
                condition=Q(occurrence_date__isnull=False),
                name="events_event_one_meeting_per_occurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start"]),
            models.Index(fields=["network", "start"]),
            # Everything the events list's filters and counts read (event_listing_summary), so
            # they are counted from the index alone.
            models.Index(fields=["status", "network", "programme", "kind", "end", "audience", "id"]),
            # The upcoming events (those not over yet), without reading the past ones.
            models.Index(fields=["end"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event-detail", args=[self.slug])

    @property
    def is_public(self) -> bool:
        """Open to anyone: people without an account register as guests."""
        return self.audience == self.Audience.PUBLIC

    @property
    def is_hybrid(self) -> bool:
        return self.mode == self.Mode.HYBRID

    def capacity_for(self, mode: str) -> int | None:
        """The places for people attending in `mode` (a Registration.Mode; "" outside hybrid)."""
        if self.is_hybrid and mode == Registration.Mode.ONLINE:
            return self.online_capacity
        return self.capacity

    @property
    def closes_at(self):
        """When registration closes: the closing time if set, else the start."""
        return self.registration_closes or self.start

    def is_open_for_registration(self, now=None) -> bool:
        """Published, and within the registration window."""
        now = now or timezone.now()
        opened = self.registration_opens is None or self.registration_opens <= now
        return self.status == self.Status.PUBLISHED and opened and now < self.closes_at

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
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is taken by the portal's own pages: choose another."}
            )
        if self.online_capacity is not None and not self.is_hybrid:
            raise ValidationError({"online_capacity": "Only a hybrid session has online places."})
        if self.audience == self.Audience.NETWORK_MEMBERS and not self.network_id:
            raise ValidationError({"network": "Choose the network whose members may register."})


class Registration(models.Model):
    """One person's place (or place in the queue) at one event."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

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
    # A guest (someone without an account, at a public session) is known by name and email alone.
    guest_name = models.CharField(max_length=150, blank=True)
    guest_email = models.EmailField(blank=True)
    access_needs = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    mode = models.CharField(
        "attends",
        max_length=20,
        choices=Mode.choices,
        blank=True,
        help_text="For a hybrid session: whether the person comes in person or joins online.",
    )
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For someone waiting who has been offered a freed place: until when they may accept it.",
    )
    joined_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person first used their joining address to join online.",
    )
    sequence = models.PositiveIntegerField(
        default=0,
        help_text="Added to the event's SEQUENCE in this person's calendar files: raised when they "
        "cancel or register again, so their calendar applies each change in order.",
    )

    class Meta:
        ordering = ["event_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_registration_unique_event_user"),
            models.UniqueConstraint(
                Lower("guest_email"),
                "event",
                condition=~Q(guest_email=""),
                name="events_registration_unique_event_guest_email",
            ),
            models.UniqueConstraint(
                fields=["event", "waitlist_position"],
                condition=Q(waitlist_position__isnull=False),
                name="events_registration_unique_waitlist_position",
            ),
            models.CheckConstraint(
                condition=Q(offer_expires_at__isnull=True) | Q(status="waitlisted"),
                name="events_registration_offer_only_while_waiting",
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="events_registration_waitlisted_has_position",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self):
        return f"{self.person_name} at {self.event}"

    @property
    def is_guest(self) -> bool:
        """Someone without an account: registered with an email, or added at check-in by name."""
        return self.user_id is None and bool(self.guest_email or self.guest_name)

    @property
    def person_name(self) -> str:
        if self.user_id is not None:
            return str(self.user)
        if self.guest_email or self.guest_name:
            return f"{self.guest_name or self.guest_email} (guest)"
        return "Deleted account"

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED, Status.ATTENDED, Status.NO_SHOW)
    HOLDS_PLACE_STATUSES = (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def has_offer(self) -> bool:
        """Waiting, and offered a freed place (which is kept for them until the offer is answered
        or lapses)."""
        return self.status == self.Status.WAITLISTED and self.offer_expires_at is not None

    @property
    def holds_place(self) -> bool:
        """Confirmed, or past the event with a place (attended or not)."""
        return self.status in self.HOLDS_PLACE_STATUSES


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=150)
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Speakers are listed in this order.")

    class Meta:
        ordering = ["event_id", "position", "id"]

    def __str__(self):
        return self.name


class Question(models.Model):
    """Something the organisers ask each registrant, such as their role."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        ONE_CHOICE = "one_choice", "One choice"
        SEVERAL_CHOICES = "several_choices", "Several choices"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField("question", max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SHORT_TEXT)
    options = models.TextField(blank=True, help_text="For choices: one option per line.")
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Questions are asked in this order.")

    class Meta:
        ordering = ["event_id", "position", "id"]

    def __str__(self):
        return self.text

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.ONE_CHOICE, self.Kind.SEVERAL_CHOICES)

    def clean(self):
        super().clean()
        if self.has_choices and len(self.option_list) < 2:
            raise ValidationError({"options": "Give at least two options, one per line."})
        if not self.has_choices and self.option_list:
            raise ValidationError({"options": "Only questions with choices have options."})

    def display_answer(self, value) -> str:
        if isinstance(value, list):
            return ", ".join(value)
        return value or ""


class Invitation(models.Model):
    """Who may register for an invitation-only event, by email address."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event_id", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "event", name="events_invitation_unique_event_email"),
        ]

    def __str__(self):
        return f"{self.email} to {self.event}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class CalendarFeed(models.Model):
    """A person's secret calendar address. A new token makes the old address stop working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed for {self.user}"


class EventMessage(models.Model):
    """A message staff sent to an event's registrants."""

    class Recipients(models.TextChoices):
        CONFIRMED = "confirmed", "People with a place"
        WAITLISTED = "waitlisted", "People on the waiting list"
        BOTH = "both", "Both"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    recipients = models.CharField(max_length=20, choices=Recipients.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject
