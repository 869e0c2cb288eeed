import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentoring import services
from mentoring.models import Pairing, PairingFeedback

pytestmark = pytest.mark.django_db


def _ended_pairing(programme, mentor, mentee):
    services.pairings_confirm(
        programme=programme, pairs=[(mentee.user_id, mentor.user_id)], acting_user=mentor.user
    )
    pairing = services.pairing_accept(
        pairing=Pairing.objects.get(mentee=mentee.user), acting_user=mentor.user
    )
    return services.pairing_end_early(pairing=pairing, acting_user=mentee.user, reason="")


@pytest.fixture
def ended(programme, mentee, mentors):
    return _ended_pairing(programme, mentors[0], mentee)


def test_each_person_gives_feedback_once_after_the_pairing_ends(client, ended):
    client.force_login(ended.mentee)
    url = reverse("mentoring:feedback-give", args=[ended.pk])
    page = client.get(reverse("mentoring:pairing-detail", args=[ended.pk])).content.decode()
    assert url in page
    response = client.post(url, {"would_recommend": "yes"})
    assert "Choose how useful the mentoring was" in response.content.decode()
    assert not PairingFeedback.objects.exists()
    response = client.post(
        url, {"usefulness": "4", "would_recommend": "yes", "comments": "Great"}, follow=True
    )
    assert "Thank you for your feedback" in response.content.decode()
    response = client.get(url, follow=True)
    assert "You have given feedback on this pairing" in response.content.decode()
    with pytest.raises(ValidationError, match="already given feedback"):
        services.feedback_save(
            pairing=ended, user=ended.mentee, usefulness=1, would_recommend=False, comments=""
        )
    assert PairingFeedback.objects.get().usefulness == 4


def test_feedback_waits_for_the_end_and_is_for_the_pair_only(client, programme, mentee, mentors, outsider):
    services.pairings_confirm(
        programme=programme, pairs=[(mentee.user_id, mentors[0].user_id)], acting_user=mentors[0].user
    )
    pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    with pytest.raises(ValidationError, match="once the pairing has ended"):
        services.feedback_save(
            pairing=pairing, user=mentee.user, usefulness=3, would_recommend=True, comments=""
        )
    client.force_login(outsider)
    assert client.get(reverse("mentoring:feedback-give", args=[pairing.pk])).status_code == 404


def test_staff_see_feedback_only_in_aggregate_and_from_three_answers(
    client, staff, programme, make_participant, mentors
):
    client.force_login(staff)
    url = reverse("admin:mentoring_mentoringprogramme_feedback", args=[programme.pk])
    pairings = [_ended_pairing(programme, mentors[n], make_participant(f"Mentee {n}")) for n in range(2)]
    services.feedback_save(
        pairing=pairings[0],
        user=pairings[0].mentee,
        usefulness=4,
        would_recommend=True,
        comments="Changed my career",
    )
    services.feedback_save(
        pairing=pairings[0], user=pairings[0].mentor, usefulness=3, would_recommend=True, comments=""
    )
    page = client.get(url).content.decode()
    assert "2 answers so far" in page and "Changed my career" not in page
    services.feedback_save(
        pairing=pairings[1], user=pairings[1].mentee, usefulness=2, would_recommend=False, comments=""
    )
    page = client.get(url).content.decode()
    assert "3 answers" in page and "Average: 3.0 out of 4" in page and "2 of 3 would recommend" in page
    assert "Changed my career" in page
    assert "Mentee 0" not in page  # never with names
