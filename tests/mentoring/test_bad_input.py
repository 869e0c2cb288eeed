"""Any input to the mentoring forms gets an answer with a message, never a 500, and nothing is
stored half-way."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring import services
from mentoring.models import CheckIn, MentoringProfile, MentoringRequest, Pairing
from tests.factories import MembershipFactory

texts = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.text(st.characters(blacklist_categories=["Cs"]), min_size=300, max_size=3500),
    st.sampled_from(
        ["<script>alert(1)</script>", "\x00", "0", "-1", "99", "31 2 2026", "2026-13-01", " ", ""]
    ),
    st.just(date.today().strftime("%d %m %Y")),  # a valid date: the check-in is stored
)

HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

pytestmark = pytest.mark.django_db


@HYPOTHESIS
@given(role=texts, meeting_format=texts, capacity=texts, about=texts)
def test_the_about_you_task_stores_a_whole_profile_or_nothing(
    programme, member, role, meeting_format, capacity, about
):
    if not member.memberships.exists():
        MembershipFactory(user=member, network=programme.network)
    MentoringProfile.objects.filter(user=member).delete()
    client = Client()
    client.force_login(member)
    response = client.post(
        reverse("mentoring:sign-up-about", args=[programme.slug]),
        {"role": role, "meeting_format": meeting_format, "capacity": capacity, "about": about},
    )
    assert response.status_code in (200, 302)
    profile = MentoringProfile.objects.filter(user=member).first()
    if response.status_code == 200:
        assert "There is a problem" in response.content.decode() and profile is None
    else:
        assert (
            profile.role == role and profile.meeting_format == meeting_format and len(profile.about) <= 1500
        )


@HYPOTHESIS
@given(met_on=texts, note=texts)
def test_a_check_in_is_stored_whole_or_not_at_all(programme, mentee, mentors, met_on, note):
    pairing = Pairing.objects.filter(mentee=mentee.user).first()
    if pairing is None:
        services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
        pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    before = CheckIn.objects.count()
    client = Client()
    client.force_login(mentee.user)
    response = client.post(
        reverse("mentoring:check-in-log", args=[pairing.pk]), {"met_on": met_on, "note": note}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "There is a problem" in response.content.decode()
        assert CheckIn.objects.count() == before
    else:
        assert CheckIn.objects.count() == before + 1
        assert CheckIn.objects.latest("id").met_on == date.today()


@HYPOTHESIS
@given(first=texts, second=texts, third=texts)
def test_a_request_names_real_mentors_or_nothing_is_stored(programme, mentee, mentors, first, second, third):
    MentoringRequest.objects.all().delete()
    Pairing.objects.all().delete()
    client = Client()
    client.force_login(mentee.user)
    response = client.post(
        reverse("mentoring:mentor-list", args=[programme.slug]),
        {"choice_1": first, "choice_2": second, "choice_3": third},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert not MentoringRequest.objects.exists() and not Pairing.objects.exists()
    else:
        assert set(MentoringRequest.objects.get().mentors) <= {m.user_id for m in mentors}
