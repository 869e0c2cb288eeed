"""Mentoring in "download my data", and deleting an account half of a pairing."""

import json
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring import circles, services
from mentoring.models import (
    CheckIn,
    CircleMembership,
    FitAnswer,
    MentoringProfile,
    MentoringRequest,
    Pairing,
)
from privacy.services import account_delete, personal_data_export

pytestmark = pytest.mark.django_db

MENTEE_NOTE = "I am thinking of applying for the head of digital role"
MENTOR_NOTE = "Next time: bring the draft strategy"


@pytest.fixture
def pairing(programme, mentee, mentors):
    with time_machine.travel("2026-03-01 09:00 +00:00", tick=False):
        services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
        pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    with time_machine.travel("2026-04-10 09:00 +01:00", tick=False):
        services.check_in_log(pairing=pairing, user=mentee.user, met_on=date(2026, 3, 2), note=MENTEE_NOTE)
        mentor = mentors[0].user
        services.check_in_log(pairing=pairing, user=mentor, met_on=date(2026, 4, 6), note=MENTOR_NOTE)
        services.fit_answer_save(pairing=pairing, user=mentee.user, answer="good")
        services.fit_answer_save(pairing=pairing, user=mentors[0].user, answer="deciding")
    return pairing


def test_my_data_has_my_mentoring_profile_pairing_check_ins_and_circles(
    client, pairing, mentee, circle, staff
):
    circles.circle_member_add(circle=circle, user=mentee.user, acting_user=staff)
    client.force_login(mentee.user)
    data = json.loads(client.get(reverse("privacy:personal-data-download")).content)

    [profile] = data["mentoring_profiles"]
    assert profile["goals"] == ["Lead a data strategy for my borough"]
    assert profile["role"].startswith("Mentee")
    [exported] = data["mentoring_pairings"]
    assert exported["with"] == "Ada First" and exported["your_role"] == "mentee"
    assert [c["note"] for c in exported["check_ins"]] == [MENTEE_NOTE, MENTOR_NOTE]
    assert exported["how_it_is_going"] == "A good fit"
    assert data["mentoring_requests"][0]["state"] == "A mentor accepted"
    assert data["peer_circles"][0]["circle"] == "Tuesday lunch circle"

    page = client.get(reverse("privacy:personal-data")).content.decode()
    assert "Your profile in WDL mentoring 2026" in page
    assert "Lead a data strategy for my borough" in page
    assert "Mentored by Ada First in WDL mentoring 2026" in page
    assert "Tuesday lunch circle" in page


def test_my_data_holds_nothing_of_pairings_i_am_not_in(client, pairing, make_participant):
    stranger = make_participant("Sol Stranger")
    data = personal_data_export(user=stranger.user)
    assert data["mentoring_pairings"] == [] and data["mentoring_requests"] == []
    assert MENTEE_NOTE not in json.dumps(data, default=str)


def test_the_export_reads_mentoring_in_the_same_number_of_queries_however_much(
    programme, pairing, mentee, mentors, make_participant
):
    def count(user):
        with CaptureQueriesContext(connection) as queries:
            personal_data_export(user=user)
        return len(queries)

    one_pairing = count(mentors[0].user)
    busy = make_participant("Busy Mentor", role="mentor", capacity=2).user
    for name in ("Second Mentee", "Third Mentee"):
        other = make_participant(name).user
        with time_machine.travel("2026-05-01 09:00 +01:00", tick=False):
            services.request_create(programme=programme, mentee=other, mentor_ids=[busy.pk])
            another = services.pairing_accept(pairing=Pairing.objects.get(mentee=other), acting_user=busy)
        with time_machine.travel("2026-05-20 09:00 +01:00", tick=False):
            for day in range(1, 6):
                services.check_in_log(pairing=another, user=busy, met_on=date(2026, 5, day), note="x")
            services.fit_answer_save(pairing=another, user=busy, answer="good")
    assert count(busy) == one_pairing


def test_deleting_my_account_keeps_my_mentors_pairing_and_check_ins(
    client, pairing, mentee, mentors, circle, staff, mailoutbox, on_commit
):
    mentor = mentors[0].user
    circles.circle_member_add(circle=circle, user=mentee.user, acting_user=staff)
    mailoutbox.clear()
    with on_commit():
        account_delete(user=mentee.user)

    pairing.refresh_from_db()
    assert pairing.mentee is None and pairing.mentor == mentor
    assert pairing.state == Pairing.State.ENDED_EARLY
    # Their side's history stays; the deleted person's words go, the meeting they logged stays.
    check_ins = {check_in.met_on: check_in for check_in in CheckIn.objects.filter(pairing=pairing)}
    assert check_ins[date(2026, 4, 6)].note == MENTOR_NOTE
    assert check_ins[date(2026, 3, 2)].note == "" and check_ins[date(2026, 3, 2)].logged_by is None
    assert list(FitAnswer.objects.filter(pairing=pairing).values_list("user", flat=True)) == [mentor.pk]
    assert not MentoringProfile.objects.filter(user_id=mentee.user_id).exists()
    assert not MentoringRequest.objects.filter(mentee_id=mentee.user_id).exists()
    assert not CircleMembership.objects.filter(user_id=mentee.user_id).exists()
    # The mentor is told, without a name, and sees "a former member" on their pages.
    [told] = mailoutbox
    assert told.to == [mentor.email] and "Your pairing with a former member" in told.body
    client.force_login(mentor)
    page = client.get(reverse("mentoring:pairing-detail", args=[pairing.pk])).content.decode()
    assert "Mentoring a former member" in page
    assert MENTOR_NOTE in page and MENTEE_NOTE not in page
    assert "logged by a former member" in page
    assert "Mentoring a former member" in client.get(reverse("mentoring:yours")).content.decode()


def test_deleting_a_requested_mentors_account_moves_the_request_on(
    programme, mentee, mentors, mailoutbox, on_commit
):
    services.request_create(
        programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id, mentors[1].user_id]
    )
    mailoutbox.clear()
    with on_commit():
        account_delete(user=mentors[0].user)
    asked = Pairing.objects.get(state=Pairing.State.PROPOSED)
    assert asked.mentor == mentors[1].user and asked.mentee == mentee.user
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentors[1].user.email, mentee.user.email])


def test_a_mentee_told_their_proposed_mentor_left_reads_a_former_member(
    programme, mentee, mentors, staff, mailoutbox, on_commit
):
    services.pairings_confirm(
        programme=programme, pairs=[(mentee.user_id, mentors[0].user_id)], acting_user=staff
    )
    mailoutbox.clear()
    with on_commit():
        account_delete(user=mentors[0].user)
    [told] = mailoutbox
    assert told.to == [mentee.user.email]
    assert "A former member is not able to mentor you" in told.body
