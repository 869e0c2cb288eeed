"""A network's mentoring programme: who takes part, how pairs are made, and how they meet.

The rules that must always hold are database constraints (one open pairing per mentee in a
programme, one answer per person per question); services (mentoring/services/) make every change.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from networks.models import MeetingCadence, Network

MAX_GOALS = 3
AGREED_GOALS_MAX_LENGTH = 2000
MAX_MENTORS_ASKED = 3
REQUEST_ANSWER_DAYS = 3
FEEDBACK_MIN_ANSWERS = 3
# A reminder goes when nobody has logged a check-in for the cadence plus this grace period.
CHECK_IN_GRACE_DAYS = 14
# Paths under /mentoring/ that are pages of their own, not programmes.
RESERVED_SLUGS = {"yours", "pairings", "requests", "circles"}


class FocusArea(models.Model):
    """A subject people can mentor or be mentored in, from a list staff edit."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MentoringProgramme(models.Model):
    class MatchingMode(models.TextChoices):
        STAFF = "staff", "Staff match mentees with mentors"
        REQUEST = "request", "Mentees ask mentors"

    class Cadence(models.IntegerChoices):
        FORTNIGHTLY = 14, "Every two weeks"
        MONTHLY = 30, "Monthly"
        BIMONTHLY = 60, "Every two months"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="mentoring_programmes")
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    summary = models.TextField(blank=True, help_text="Shown on the network's page and the programme's.")
    is_open = models.BooleanField("open for sign-up", default=False)
    starts_on = models.DateField()
    ends_on = models.DateField()
    pairing_months = models.PositiveSmallIntegerField("pairing length in months", default=6)
    cadence_days = models.PositiveSmallIntegerField(
        "expected meeting cadence", choices=Cadence.choices, default=Cadence.MONTHLY
    )
    max_mentees_per_mentor = models.PositiveSmallIntegerField("most mentees per mentor", default=2)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="programmes")
    matching_mode = models.CharField(
        "how pairs are made", max_length=20, choices=MatchingMode.choices, default=MatchingMode.STAFF
    )
    code_of_conduct = models.TextField(help_text="Every participant accepts it before taking part.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network", "-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="mentoring_programme_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(max_mentees_per_mentor__gte=1) & Q(pairing_months__gte=1),
                name="mentoring_programme_positive_limits",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"“{self.slug}” is the address of another page: choose another slug."
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The programme must end after it starts"
        if errors:
            raise ValidationError(errors)

    @property
    def is_request_mode(self) -> bool:
        return self.matching_mode == self.MatchingMode.REQUEST


class MentoringProfile(models.Model):
    """One person's part in one programme. Made step by step from the sign-up task list."""

    class Role(models.TextChoices):
        MENTEE = "mentee", "Mentee: I would like a mentor"
        MENTOR = "mentor", "Mentor: I would like to mentor someone"
        BOTH = "both", "Both"

    class MeetingFormat(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        EITHER = "either", "Either"

    programme = models.ForeignKey(MentoringProgramme, on_delete=models.CASCADE, related_name="profiles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_profiles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    meeting_format = models.CharField(
        max_length=20, choices=MeetingFormat.choices, default=MeetingFormat.EITHER
    )
    prefers_outside_organisation = models.BooleanField(
        "prefers someone outside their organisation", default=False
    )
    capacity = models.PositiveSmallIntegerField(
        "mentees they can take", default=1, help_text="Mentors only; at most the programme's limit."
    )
    about = models.TextField("what they tell other participants", blank=True)
    show_job_title = models.BooleanField(default=True)
    show_organisation = models.BooleanField(default=True)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="profiles")
    goals = models.JSONField(default=list, blank=True, help_text=f"Up to {MAX_GOALS}, in the person's words.")
    goals_saved_at = models.DateTimeField(null=True, blank=True)
    code_of_conduct_accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "user"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="mentoring_profile_unique_person"),
        ]

    def __str__(self):
        return f"{self.user} in {self.programme}"

    @property
    def is_mentor(self) -> bool:
        return self.role in (self.Role.MENTOR, self.Role.BOTH)

    @property
    def is_mentee(self) -> bool:
        return self.role in (self.Role.MENTEE, self.Role.BOTH)

    @property
    def is_complete(self) -> bool:
        """Every task of the sign-up list is done: the person takes part."""
        return bool(self.goals_saved_at and self.code_of_conduct_accepted_at and not self.withdrawn_at)


class FormerMember:
    """Who stands in, on the other person's pages and in their emails, for someone who deleted
    their account: a pairing, a check-in and its history stay theirs, without naming anybody."""

    pk = None
    full_name = "a former member"
    email = ""

    def __str__(self):
        return self.full_name


FORMER_MEMBER = FormerMember()


class MentoringRequest(models.Model):
    """A mentee's ordered list of up to three mentors; each is asked in turn (see Pairing.answer_by)."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for a mentor to answer"
        ACCEPTED = "accepted", "A mentor accepted"
        EXHAUSTED = "exhausted", "No mentor accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(MentoringProgramme, on_delete=models.CASCADE, related_name="requests")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_requests"
    )
    mentors = models.JSONField(help_text="User ids of the mentors asked, in the mentee's order.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "mentee"],
                condition=Q(state="waiting"),
                name="mentoring_request_one_waiting_per_mentee",
            ),
        ]

    def __str__(self):
        return f"Request from {self.mentee} in {self.programme}"


class Pairing(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ENDED_EARLY = "ended_early", "Ended early"

    OPEN_STATES = (State.PROPOSED, State.ACCEPTED, State.ACTIVE)
    CURRENT_STATES = (State.ACCEPTED, State.ACTIVE)

    programme = models.ForeignKey(MentoringProgramme, on_delete=models.CASCADE, related_name="pairings")
    # Empty once the person deleted their account: the other person keeps the pairing's history.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="pairings_as_mentor"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="pairings_as_mentee"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    request = models.ForeignKey(
        MentoringRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings"
    )
    answer_by = models.DateTimeField(
        null=True, blank=True, help_text="A requested mentor's deadline; then the request moves on."
    )
    # What the pair agreed to work on: the mentee's goals when it starts, then either of them edits
    # it (services.pairing_goals_save). The pair and staff see it; not the other participants.
    agreed_goals = models.TextField(blank=True)
    agreed_goals_changed_at = models.DateTimeField(null=True, blank=True)
    agreed_goals_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cadence_days = models.PositiveSmallIntegerField(choices=MentoringProgramme.Cadence.choices)
    ends_on = models.DateField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    # The day after which a pair who have not logged a check-in get their reminder: the last check-in
    # (or the start) plus the cadence and CHECK_IN_GRACE_DAYS. Kept by the services (check_in_due).
    check_in_due_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["programme", "-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "mentee"],
                condition=Q(state__in=["proposed", "accepted", "active"]),
                name="mentoring_pairing_one_open_per_mentee",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="mentoring_pairing_not_self"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "active", "completed", "ended_early"])
                | Q(accepted_at__isnull=False, ends_on__isnull=False),
                name="mentoring_pairing_accepted_has_dates",
            ),
        ]
        indexes = [models.Index(fields=["state", "answer_by"]), models.Index(fields=["state", "ends_on"])]

    def __str__(self):
        return f"{self.mentor_person} mentoring {self.mentee_person}"

    @property
    def mentor_person(self):
        """The mentor, or FORMER_MEMBER once they deleted their account."""
        return self.mentor if self.mentor_id else FORMER_MEMBER

    @property
    def mentee_person(self):
        return self.mentee if self.mentee_id else FORMER_MEMBER

    def other_person(self, user):
        """The other person of the pair, seen by `user` (one of the two)."""
        return self.mentee_person if user.pk == self.mentor_id else self.mentor_person

    @property
    def is_current(self) -> bool:
        return self.state in self.CURRENT_STATES

    def check_in_due(self, last_met_on: date | None) -> date:
        """The day after which a pairing with no check-in since `last_met_on` gets its reminder."""
        start = last_met_on or timezone.localdate(self.accepted_at)
        return start + timedelta(days=self.cadence_days + CHECK_IN_GRACE_DAYS)

    @property
    def check_in_overdue(self) -> bool:
        return bool(self.is_current and self.check_in_due_on and self.check_in_due_on < timezone.localdate())


class CheckIn(models.Model):
    """A meeting of the pair. The note is for the two of them only: not shown to staff."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="check_ins")
    met_on = models.DateField("date you met")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-met_on", "-id"]

    def __str__(self):
        return f"Check-in on {self.met_on:%d %B %Y}"


class PairingFeedback(models.Model):
    """What each person thought of a pairing once it ended. Staff see it only in aggregate, and only
    when a programme has FEEDBACK_MIN_ANSWERS answers, so no answer can be traced to a person."""

    class Usefulness(models.IntegerChoices):
        VERY = 4, "Very useful"
        QUITE = 3, "Quite useful"
        A_LITTLE = 2, "A little useful"
        NOT = 1, "Not useful"

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    usefulness = models.PositiveSmallIntegerField(choices=Usefulness.choices)
    would_recommend = models.BooleanField()
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "user"], name="mentoring_feedback_one_per_person"),
        ]

    def __str__(self):
        return f"Feedback on {self.pairing}"


class FitAnswer(models.Model):
    """After the first check-in each person says how the pairing is going."""

    class Answer(models.TextChoices):
        GOOD = "good", "A good fit"
        DECIDING = "deciding", "Still deciding"
        NOT_GOOD = "not_good", "Not a good fit"

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="fit_answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=20, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "user"], name="mentoring_fit_one_per_person"),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_answer_display()}"


# --- peer-support circles ----------------------------------------------------------------------

CIRCLE_MIN_MEMBERS = 4
CIRCLE_MAX_MEMBERS = 8


class PeerCircle(MeetingCadence):
    """A small group of a network's members who meet on their own cadence (the networks cadence:
    a weekday of the month, monthly, every two months or quarterly, in London time). Unlike a
    network's, a circle's cadence is always whole (a database constraint and clean())."""

    CADENCE_FREQUENCY_FIELD = "frequency"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        BIMONTHLY = "bimonthly", "Every two months"
        QUARTERLY = "quarterly", "Quarterly"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="peer_circles")
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    description = models.TextField(blank=True)
    discussion_url = models.URLField("discussion link", blank=True, help_text="Optional. Members only.")
    is_open = models.BooleanField("members can ask to join", default=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    cadence_duration_minutes = models.PositiveIntegerField("length in minutes", default=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_duration_minutes__gte=1, cadence_duration_minutes__lte=24 * 60),
                name="mentoring_circle_duration_in_a_day",
            ),
            models.CheckConstraint(
                condition=Q(
                    cadence_week__isnull=False,
                    cadence_weekday__isnull=False,
                    cadence_start_time__isnull=False,
                    cadence_starts_on__isnull=False,
                ),
                name="mentoring_circle_has_a_cadence",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = self.clean_cadence_duration()
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"“{self.slug}” is the address of another page: choose another slug."
        for field, message in CIRCLE_CADENCE_REQUIRED.items():
            if getattr(self, field) is None:
                errors[field] = message
        if errors:
            raise ValidationError(errors)


CIRCLE_CADENCE_REQUIRED = {
    "cadence_week": "Choose which week of the month the circle meets",
    "cadence_weekday": "Choose which day of the week the circle meets",
    "cadence_start_time": "Enter the time meetings start",
    "cadence_starts_on": "Enter the first month",
}


class CircleMembership(models.Model):
    circle = models.ForeignKey(PeerCircle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["circle", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user"],
                condition=Q(left_at__isnull=True),
                name="mentoring_circle_member_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.circle}"


class CirclePlacementRequest(models.Model):
    """A member asks staff to place them in one of the network's circles."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="circle_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_requests"
    )
    note = models.TextField("what they are looking for", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    placed_in = models.ForeignKey(
        PeerCircle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["closed_at", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=Q(closed_at__isnull=True),
                name="mentoring_circle_request_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} asks for a circle in {self.network}"


class CircleMeeting(models.Model):
    """One occurrence of a circle's cadence, made a rolling window ahead; unique per date, so the
    generator can run any number of times."""

    circle = models.ForeignKey(PeerCircle, on_delete=models.CASCADE, related_name="meetings")
    occurrence_date = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "occurrence_date"], name="mentoring_circle_meeting_once"
            ),
        ]

    def __str__(self):
        return f"{self.circle} on {self.occurrence_date:%d %B %Y}"
