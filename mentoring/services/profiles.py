"""Programmes (staff, in admin) and profiles (the sign-up task list)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from loti_portal import versions

from ..models import (
    MAX_GOALS,
    FocusArea,
    MentoringProfile,
    MentoringProgramme,
)
from ..selectors import is_active_member

# --- programmes (staff, in admin) ---------------------------------------------------------------


@transaction.atomic
def programme_save(
    *, programme: MentoringProgramme, changed_fields: list[str], acting_user: User
) -> MentoringProgramme:
    """Create or update a programme as staff edited it, and audit which fields changed."""
    created = programme.pk is None
    # Moved to another network, it leaves the page of the one it was in.
    before = (
        None
        if created
        else MentoringProgramme.objects.filter(pk=programme.pk)
        .values_list("network__slug", flat=True)
        .first()
    )
    programme.full_clean()
    programme.save()
    versions.network_changed(slug=programme.network.slug)  # its page lists the programmes
    if before and before != programme.network.slug:
        versions.network_changed(slug=before)
    audit_record(
        actor=acting_user,
        action="mentoring.programme.created" if created else "mentoring.programme.updated",
        target=programme,
        data={"fields": sorted(changed_fields)},
    )
    return programme


# --- profiles (the sign-up task list) -----------------------------------------------------------


def _profile_editable(*, programme: MentoringProgramme, user: User) -> MentoringProfile | None:
    if not is_active_member(user=user, network=programme.network):
        raise ValidationError(f"Only members of {programme.network.name} can take part in its mentoring.")
    profile = MentoringProfile.objects.select_for_update().filter(programme=programme, user=user).first()
    if (profile is None or profile.withdrawn_at) and not programme.is_open:
        raise ValidationError(f"{programme.name} is not taking new participants at the moment.")
    return profile


@transaction.atomic
def profile_save_about(
    *,
    programme: MentoringProgramme,
    user: User,
    role: str,
    meeting_format: str,
    prefers_outside_organisation: bool,
    capacity: int,
    about: str,
    show_job_title: bool,
    show_organisation: bool,
) -> MentoringProfile:
    """The first task: role and preferences. Creates the profile. Only for active members."""
    profile = _profile_editable(programme=programme, user=user)
    if role not in MentoringProfile.Role.values:
        raise ValidationError("Choose whether you would like to be a mentor, a mentee or both.")
    if role != MentoringProfile.Role.MENTEE and not 1 <= capacity <= programme.max_mentees_per_mentor:
        raise ValidationError(
            f"A mentor in {programme.name} can take between 1 and {programme.max_mentees_per_mentor} mentees."
        )
    created = profile is None
    if created:
        profile = MentoringProfile(programme=programme, user=user)
    profile.role = role
    profile.meeting_format = meeting_format
    profile.prefers_outside_organisation = prefers_outside_organisation
    profile.capacity = capacity if role != MentoringProfile.Role.MENTEE else 0
    profile.about = about.strip()
    profile.show_job_title = show_job_title
    profile.show_organisation = show_organisation
    profile.withdrawn_at = None
    profile.save()
    audit_record(
        actor=user,
        action="mentoring.profile.created" if created else "mentoring.profile.updated",
        target=profile,
        data={"role": role},
    )
    return profile


@transaction.atomic
def profile_save_goals(
    *, profile: MentoringProfile, focus_areas: list[FocusArea], goals: list[str]
) -> MentoringProfile:
    """The second task: focus areas (from the programme's list) and up to three goals."""
    profile = _profile_editable(programme=profile.programme, user=profile.user)
    goals = [goal.strip() for goal in goals if goal.strip()]
    if not goals:
        raise ValidationError("Write at least one goal")
    if len(goals) > MAX_GOALS:
        raise ValidationError(f"Write at most {MAX_GOALS} goals")
    allowed = set(profile.programme.focus_areas.values_list("pk", flat=True))
    if not focus_areas or any(area.pk not in allowed for area in focus_areas):
        raise ValidationError("Choose at least one focus area from the list")
    profile.goals = goals
    profile.goals_saved_at = timezone.now()
    profile.save(update_fields=["goals", "goals_saved_at", "updated_at"])
    profile.focus_areas.set(focus_areas)
    audit_record(actor=profile.user, action="mentoring.profile.goals_saved", target=profile)
    return profile


@transaction.atomic
def profile_accept_code_of_conduct(*, profile: MentoringProfile) -> MentoringProfile:
    """The last task: accept the programme's code of conduct. Accepting twice keeps the first time."""
    profile = _profile_editable(programme=profile.programme, user=profile.user)
    if profile.code_of_conduct_accepted_at is None:
        profile.code_of_conduct_accepted_at = timezone.now()
        profile.save(update_fields=["code_of_conduct_accepted_at", "updated_at"])
        audit_record(actor=profile.user, action="mentoring.profile.code_of_conduct_accepted", target=profile)
    return profile
