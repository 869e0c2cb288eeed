"""What comes after a session: the materials staff share, and what attendees thought of it."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


def materials_storage():
    """The private storage (settings.STORAGES["materials"]): never served by URL."""
    return storages["materials"]


def material_path(material: "Material", filename: str) -> str:
    """Stored under a random name: the name a person uploaded never reaches the disk."""
    extension = PurePosixPath(filename).suffix.lower()
    return f"events/{material.event_id}/{uuid.uuid4().hex}{extension}"


class Material(models.Model):
    """Slides, a file or a recording link shared after a session with the people who may see it
    (followup.selectors.materials_visible_to)."""

    class Kind(models.TextChoices):
        SLIDES = "slides", "Slides"
        DOCUMENT = "document", "Document or handout"
        RECORDING = "recording", "Recording"
        LINK = "link", "Other link"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(storage=materials_storage, upload_to=material_path, blank=True, max_length=300)
    filename = models.CharField(max_length=255, blank=True, help_text="The name it is downloaded as.")
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="In bytes.")
    url = models.URLField("link", max_length=500, blank=True)
    accessible = models.BooleanField(
        "accessible version",
        default=False,
        help_text="An accessible version of the session's content: for example a Word or HTML "
        "document that screen readers read well, or a recording with captions.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="followup_material_file_or_link",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def is_pdf(self) -> bool:
        return self.is_file and self.filename.lower().endswith(".pdf")

    @property
    def file_type(self) -> str:
        """ "PDF", "DOCX"…: what the link says it downloads."""
        return PurePosixPath(self.filename).suffix.lstrip(".").upper()


class FeedbackResponse(models.Model):
    """One attendee's answer about one session: one per registration, editable until the form
    closes (followup.selectors.feedback_closes_at)."""

    class Rating(models.IntegerChoices):
        VERY_POOR = 1, "1 – Very poor"
        POOR = 2, "2 – Poor"
        OKAY = 3, "3 – Okay"
        GOOD = 4, "4 – Good"
        VERY_GOOD = 5, "5 – Very good"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="feedback_responses")
    registration = models.OneToOneField(
        "events.Registration", on_delete=models.CASCADE, related_name="feedback_response"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_responses",
        help_text="Empty for a guest, or once the person deleted their account.",
    )
    rating = models.PositiveSmallIntegerField(
        choices=Rating.choices, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    what_worked = models.TextField(blank=True)
    what_to_improve = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="followup_feedback_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["event", "rating"])]

    def __str__(self):
        return f"Feedback on {self.event_id}"
