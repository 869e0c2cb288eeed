from datetime import date

import pytest
import time_machine
from django.urls import reverse

from mentoring import services
from mentoring.models import MentoringProfile, MentoringRequest, Pairing
from tests.factories import MembershipFactory
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

SECRET_NOTE = "We talked about the restructure in confidence"


def _signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def active_pairing(programme, mentee, mentors):
    services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
    pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    services.check_in_log(pairing=pairing, user=mentee.user, met_on=date.today(), note=SECRET_NOTE)
    return pairing


# --- the network's page and the sign-up task list ----------------------------------------------


def test_the_network_page_shows_mentoring_to_members_only(client, programme, member, outsider):
    MembershipFactory(user=member, network=programme.network)
    url = reverse("networks:network-detail", args=[programme.network.slug])
    page = _signed_in(client, member).get(url).content.decode()
    assert "Mentoring" in page and reverse("mentoring:programme-detail", args=[programme.slug]) in page
    page = _signed_in(client, outsider).get(url).content.decode()
    assert programme.name not in page


def test_a_member_signs_up_through_the_task_list(client, programme, member, areas):
    MembershipFactory(user=member, network=programme.network)
    client = _signed_in(client, member)
    page = client.get(reverse("mentoring:programme-detail", args=[programme.slug])).content.decode()
    assert "You have completed 0 of 3 sections" in page and "Cannot start yet" in page
    response = client.post(
        reverse("mentoring:sign-up-about", args=[programme.slug]),
        {
            "role": "mentee",
            "meeting_format": "online",
            "about": "I lead a small data team",
            "show_organisation": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("mentoring:sign-up-goals", args=[programme.slug]),
        {"focus_areas": [areas["Leadership"].pk], "goal_1": "Lead a bigger team", "goal_2": ""},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("mentoring:sign-up-code", args=[programme.slug]), {"accept": "on"}, follow=True
    )
    page = response.content.decode()
    assert f"You have signed up to {programme.name}" in page
    assert "Choose mentors to ask" in page
    profile = MentoringProfile.objects.get(user=member)
    assert profile.is_complete and profile.goals == ["Lead a bigger team"] and not profile.show_job_title


def test_sign_up_errors_are_shown_next_to_the_field_and_nothing_is_stored(client, programme, member, areas):
    MembershipFactory(user=member, network=programme.network)
    client = _signed_in(client, member)
    response = client.post(reverse("mentoring:sign-up-about", args=[programme.slug]), {"role": "mentor"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose how you would like to meet" in page and "Enter how many mentees you can take" in page
    response = client.post(
        reverse("mentoring:sign-up-about", args=[programme.slug]),
        {"role": "mentor", "meeting_format": "online", "capacity": "9"},
    )
    assert "Enter a number of mentees of 2 or fewer" in response.content.decode()
    assert not MentoringProfile.objects.exists()
    # The later tasks wait for the first.
    response = client.get(reverse("mentoring:sign-up-goals", args=[programme.slug]))
    assert response.status_code == 302


def test_the_code_of_conduct_must_be_agreed(client, programme, mentee):
    mentee.code_of_conduct_accepted_at = None
    mentee.save()
    response = _signed_in(client, mentee.user).post(
        reverse("mentoring:sign-up-code", args=[programme.slug]), {}
    )
    assert "Confirm that you agree to follow the code of conduct" in response.content.decode()
    mentee.refresh_from_db()
    assert mentee.code_of_conduct_accepted_at is None


# --- requesting and answering ------------------------------------------------------------------


def test_a_mentee_asks_mentors_in_order_and_the_mentor_accepts(client, programme, mentee, mentors):
    client = _signed_in(client, mentee.user)
    url = reverse("mentoring:mentor-list", args=[programme.slug])
    page = client.get(url).content.decode()
    assert "Ada First" in page and "Cat Third" in page
    response = client.post(url, {"choice_1": mentors[1].user_id, "choice_2": mentors[1].user_id})
    assert "Choose each mentor only once" in response.content.decode()
    assert not MentoringRequest.objects.exists()
    response = client.post(url, {"choice_1": mentors[1].user_id, "choice_2": mentors[0].user_id}, follow=True)
    assert "Your request has been sent" in response.content.decode()
    assert MentoringRequest.objects.get().mentors == [mentors[1].user_id, mentors[0].user_id]
    pairing = Pairing.objects.get()
    assert pairing.mentor == mentors[1].user
    # The first choice's mentor sees it and accepts; the mentee cannot accept for them.
    response = client.post(reverse("mentoring:pairing-accept", args=[pairing.pk]), follow=True)
    assert "Only the mentor can accept" in response.content.decode()
    client.force_login(mentors[1].user)
    page = client.get(reverse("mentoring:yours")).content.decode()
    assert "Mentoring Mina Mentee" in page and "Waiting for the mentor" in page
    response = client.post(reverse("mentoring:pairing-accept", args=[pairing.pk]), follow=True)
    assert "You are now Mina Mentee&#x27;s mentor" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.state == Pairing.State.ACCEPTED


def test_answering_needs_post(client, active_pairing):
    client = _signed_in(client, active_pairing.mentor)
    for name in ("pairing-accept", "pairing-decline", "fit-answer"):
        assert client.get(reverse(f"mentoring:{name}", args=[active_pairing.pk])).status_code == 405


def test_the_mentor_list_is_only_for_mentees_of_a_request_programme(client, programme, mentors):
    response = _signed_in(client, mentors[0].user).get(
        reverse("mentoring:mentor-list", args=[programme.slug])
    )
    assert response.status_code == 404


def test_logging_a_check_in_with_a_bad_date_shows_the_error(client, active_pairing):
    client = _signed_in(client, active_pairing.mentor)
    url = reverse("mentoring:check-in-log", args=[active_pairing.pk])
    response = client.post(url, {"met_on": "31 2 2026", "note": "x"})
    assert "Enter the date you met as day month year" in response.content.decode()
    response = client.post(url, {"met_on": "1 1 2099"})
    assert "The date you met must be today or in the past" in response.content.decode()
    assert active_pairing.check_ins.count() == 1
    today = date.today().strftime("%d %m %Y")
    response = client.post(url, {"met_on": today, "note": "Second meeting"}, follow=True)
    assert "Your check-in has been logged" in response.content.decode()
    assert active_pairing.check_ins.count() == 2


def test_fit_answer_and_ending_early_from_the_pairing_page(client, active_pairing):
    client = _signed_in(client, active_pairing.mentee)
    page = client.get(reverse("mentoring:pairing-detail", args=[active_pairing.pk])).content.decode()
    assert "How is it going?" in page
    response = client.post(
        reverse("mentoring:fit-answer", args=[active_pairing.pk]), {"answer": "bogus"}, follow=True
    )
    assert "Choose how the pairing is going" in response.content.decode()
    client.post(reverse("mentoring:fit-answer", args=[active_pairing.pk]), {"answer": "good"})
    assert active_pairing.fit_answers.get().answer == "good"
    response = client.post(
        reverse("mentoring:pairing-end", args=[active_pairing.pk]), {"reason": "New job"}, follow=True
    )
    assert "The pairing has ended" in response.content.decode()
    active_pairing.refresh_from_db()
    assert active_pairing.state == Pairing.State.ENDED_EARLY


# --- privacy -----------------------------------------------------------------------------------


def test_a_non_participant_gets_404_for_every_profile_and_pairing(
    client, programme, active_pairing, mentors, member, outsider
):
    MembershipFactory(user=member, network=programme.network)  # a member who has not signed up
    urls = [
        reverse("mentoring:profile-detail", args=[programme.slug, mentors[0].pk]),
        reverse("mentoring:pairing-detail", args=[active_pairing.pk]),
        reverse("mentoring:check-in-log", args=[active_pairing.pk]),
        reverse("mentoring:pairing-end", args=[active_pairing.pk]),
    ]
    for person in (member, outsider, mentors[1].user):
        client.force_login(person)
        for url in urls:
            if person == mentors[1].user and "profiles" in url:
                continue  # participants may see each other's profiles
            assert client.get(url).status_code == 404, (person, url)
        assert client.post(reverse("mentoring:pairing-accept", args=[active_pairing.pk])).status_code == 404
    client.force_login(outsider)  # not in the network: the programme does not exist for them
    assert client.get(reverse("mentoring:programme-detail", args=[programme.slug])).status_code == 404
    assert client.get(reverse("mentoring:sign-up-about", args=[programme.slug])).status_code == 404


def test_check_in_notes_are_seen_by_the_pair_only(client, programme, active_pairing, mentors, staff):
    url = reverse("mentoring:pairing-detail", args=[active_pairing.pk])
    for person in (active_pairing.mentor, active_pairing.mentee):
        client.force_login(person)
        assert SECRET_NOTE in client.get(url).content.decode()
    client.force_login(mentors[1].user)
    assert client.get(url).status_code == 404
    assert SECRET_NOTE not in client.get(reverse("mentoring:yours")).content.decode()
    client.force_login(staff)
    assert client.get(url).status_code == 404
    admin_page = client.get(
        reverse("admin:mentoring_pairing_change", args=[active_pairing.pk])
    ).content.decode()
    assert "Ada First mentoring Mina Mentee" in admin_page
    assert SECRET_NOTE not in admin_page


def test_a_profile_shows_only_what_its_owner_chose(client, programme, mentee, mentors):
    mentors[0].user.job_title = "Chief Data Officer"
    mentors[0].user.save()
    url = reverse("mentoring:profile-detail", args=[programme.slug, mentors[0].pk])
    client.force_login(mentee.user)
    page = client.get(url).content.decode()
    assert "Chief Data Officer" in page and "Borough of Ada First" in page
    mentors[0].show_job_title = mentors[0].show_organisation = False
    mentors[0].save()
    page = client.get(url).content.decode()
    assert "Chief Data Officer" not in page and "Borough of Ada First" not in page


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 6])
def test_mentor_list_and_your_mentoring_take_constant_queries(
    client, programme, mentee, make_participant, extra, django_assert_max_num_queries
):
    for number in range(2 + extra):
        make_participant(f"Mentor {number}", role="mentor")
    for number in range(extra):
        other = make_participant(f"Mentee {number}")
        mentor = MentoringProfile.objects.filter(role="mentor").order_by("pk")[number]
        Pairing.objects.create(programme=programme, mentor=mentor.user, mentee=other.user, cadence_days=30)
    client.force_login(mentee.user)
    with django_assert_max_num_queries(12 + session_queries()):
        assert client.get(reverse("mentoring:mentor-list", args=[programme.slug])).status_code == 200
    client.force_login(MentoringProfile.objects.filter(role="mentor").order_by("pk")[0].user)
    with django_assert_max_num_queries(8 + session_queries()):
        assert client.get(reverse("mentoring:yours")).status_code == 200


def test_request_expiry_is_shown_to_the_mentor(client, programme, mentee, mentors):
    with time_machine.travel("2026-05-04 09:00 +01:00", tick=False):
        services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
        client.force_login(mentors[0].user)
        page = client.get(
            reverse("mentoring:pairing-detail", args=[Pairing.objects.get().pk])
        ).content.decode()
    assert "Please answer by Thursday 7 May at 09:00" in page
