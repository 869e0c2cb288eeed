from datetime import date, time

import pytest
import time_machine

from mentoring import circles, services
from mentoring.models import FocusArea, MentoringProfile, MentoringProgramme, PeerCircle
from networks.models import Network
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks queued on commit (the emails) when the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def network(db):
    return NetworkFactory(
        name="Women's Digital Leaders", slug="womens-digital-leaders", join_policy=Network.JoinPolicy.APPROVAL
    )


@pytest.fixture
def areas(db):
    return {
        name: FocusArea.objects.create(name=name) for name in ("Leadership", "Data strategy", "Influencing")
    }


@pytest.fixture
def programme(network, areas):
    programme = MentoringProgramme.objects.create(
        network=network,
        name="WDL mentoring 2026",
        slug="wdl-mentoring-2026",
        is_open=True,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        matching_mode=MentoringProgramme.MatchingMode.REQUEST,
        max_mentees_per_mentor=2,
        code_of_conduct="Be kind. Keep what you hear in confidence.",
    )
    programme.focus_areas.set(areas.values())
    return programme


@pytest.fixture
def make_participant(programme, areas):
    """An active member of the programme's network with a complete profile."""

    def make(
        name,
        *,
        role="mentee",
        areas_named=("Leadership",),
        goals=("Lead a digital team",),
        capacity=1,
        organisation=None,
        meeting_format="either",
        prefers_outside=False,
    ):
        organisation = organisation or OrganisationFactory(name=f"Borough of {name}")
        user = UserFactory(
            full_name=name,
            organisation=organisation,
            email=f"{name.lower().replace(' ', '.')}@example.gov.uk",
        )
        MembershipFactory(user=user, network=programme.network)
        profile = services.profile_save_about(
            programme=programme,
            user=user,
            role=role,
            meeting_format=meeting_format,
            prefers_outside_organisation=prefers_outside,
            capacity=capacity if role != "mentee" else 0,
            about="",
            show_job_title=True,
            show_organisation=True,
        )
        services.profile_save_goals(
            profile=profile, focus_areas=[areas[n] for n in areas_named], goals=list(goals)
        )
        services.profile_accept_code_of_conduct(profile=profile)
        profile.refresh_from_db()
        return profile

    return make


@pytest.fixture
def mentee(make_participant) -> MentoringProfile:
    return make_participant("Mina Mentee", goals=("Lead a data strategy for my borough",))


@pytest.fixture
def mentors(make_participant) -> list[MentoringProfile]:
    return [
        make_participant("Ada First", role="mentor", areas_named=("Leadership", "Data strategy")),
        make_participant("Bea Second", role="mentor", areas_named=("Leadership",)),
        make_participant("Cat Third", role="mentor", areas_named=("Influencing",)),
    ]


@pytest.fixture
def circle(network, staff):
    circle = PeerCircle(
        network=network,
        name="Tuesday lunch circle",
        slug="tuesday-lunch",
        discussion_url="https://3.basecamp.com/loti/circles/tuesday",
        cadence_week=1,
        cadence_weekday=1,
        cadence_start_time=time(12, 30),
        cadence_duration_minutes=60,
        cadence_starts_on=date(2026, 1, 1),
        meeting_online_url="https://meet.loti.london/tuesday-lunch",
    )
    with time_machine.travel("2026-03-10 09:00 +00:00", tick=False):
        return circles.circle_save(circle=circle, changed_fields=[], acting_user=staff)
