from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEntry
from mentoring import selectors, services, tasks
from mentoring.emails import mentoring_email_enqueue
from mentoring.models import FitAnswer, MentoringProfile, MentoringRequest, Pairing
from networks.models import Membership
from outbox.models import Email
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _about(programme, user, **changes):
    fields = {
        "role": "mentee",
        "meeting_format": "online",
        "prefers_outside_organisation": False,
        "capacity": 0,
        "about": "",
        "show_job_title": True,
        "show_organisation": True,
        **changes,
    }
    return services.profile_save_about(programme=programme, user=user, **fields)


# --- profiles ----------------------------------------------------------------------------------


def test_only_active_members_of_the_network_can_make_a_profile(programme, member):
    MembershipFactory(user=member, network=programme.network, status=Membership.Status.PENDING)
    with pytest.raises(ValidationError, match="Only members of Women's Digital Leaders"):
        _about(programme, member)
    assert not MentoringProfile.objects.exists()


def test_a_closed_programme_takes_no_new_profiles(programme, member):
    MembershipFactory(user=member, network=programme.network)
    programme.is_open = False
    programme.save()
    with pytest.raises(ValidationError, match="not taking new participants"):
        _about(programme, member)


def test_a_profile_is_complete_only_with_goals_and_the_code_of_conduct(programme, member, areas):
    MembershipFactory(user=member, network=programme.network)
    profile = _about(programme, member)
    services.profile_save_goals(
        profile=profile, focus_areas=[areas["Leadership"]], goals=["Grow", "", "Lead"]
    )
    profile.refresh_from_db()
    assert profile.goals == ["Grow", "Lead"]
    assert not profile.is_complete
    services.profile_accept_code_of_conduct(profile=profile)
    profile.refresh_from_db()
    assert profile.is_complete
    assert AuditEntry.objects.filter(action="mentoring.profile.code_of_conduct_accepted").count() == 1


def test_goals_refuse_more_than_three_and_areas_outside_the_programme(programme, member, areas):
    MembershipFactory(user=member, network=programme.network)
    profile = _about(programme, member)
    with pytest.raises(ValidationError, match="at most 3"):
        services.profile_save_goals(
            profile=profile, focus_areas=[areas["Leadership"]], goals=["a", "b", "c", "d"]
        )
    programme.focus_areas.remove(areas["Influencing"])
    with pytest.raises(ValidationError, match="focus area"):
        services.profile_save_goals(profile=profile, focus_areas=[areas["Influencing"]], goals=["a"])
    profile.refresh_from_db()
    assert profile.goals == [] and profile.goals_saved_at is None


def test_a_mentor_cannot_offer_more_places_than_the_programme_allows(programme, member):
    MembershipFactory(user=member, network=programme.network)
    with pytest.raises(ValidationError, match="between 1 and 2 mentees"):
        _about(programme, member, role="mentor", capacity=3)


# --- matching ----------------------------------------------------------------------------------


def test_mentors_are_ranked_by_shared_areas_and_goal_words(programme, mentee, mentors, make_participant):
    ranked = selectors.mentors_for_mentee(programme=programme, mentee=mentee)
    assert [candidate.mentor.user.full_name for candidate in ranked][:2] == ["Ada First", "Bea Second"]
    # A mentor whose own words share the mentee's goals climbs above one with only an area in common.
    worded = make_participant(
        "Dee Words", role="mentor", areas_named=("Influencing",), goals=("Data strategy for a borough",)
    )
    ranked = selectors.mentors_for_mentee(programme=programme, mentee=mentee)
    names = [candidate.mentor.user.full_name for candidate in ranked]
    assert names.index(worded.user.full_name) < names.index("Cat Third")


def test_full_mentors_and_incompatible_formats_are_left_out(programme, mentee, make_participant):
    full = make_participant("Full Mentor", role="mentor", capacity=1)
    other_mentee = make_participant("Other Mentee")
    Pairing.objects.create(programme=programme, mentor=full.user, mentee=other_mentee.user, cadence_days=30)
    in_person = make_participant("Only In Person", role="mentor", meeting_format="in_person")
    mentee.meeting_format = "online"
    mentee.save()
    names = [
        c.mentor.user.full_name for c in selectors.mentors_for_mentee(programme=programme, mentee=mentee)
    ]
    assert full.user.full_name not in names
    assert in_person.user.full_name not in names


def test_outside_organisation_preference_favours_mentors_from_elsewhere(programme, make_participant):
    mentee = make_participant("Pat Pref", prefers_outside=True)
    same = make_participant("Sam Same", role="mentor", organisation=mentee.user.organisation)
    away = make_participant("Alex Away", role="mentor")
    ranked = selectors.mentors_for_mentee(programme=programme, mentee=mentee)
    assert [c.mentor.pk for c in ranked] == [away.pk, same.pk]


def test_staff_confirm_pairs_in_bulk_and_capacity_is_respected(
    programme, make_participant, staff, mailoutbox, on_commit
):
    mentor = make_participant("Mo Mentor", role="mentor", capacity=1)
    first, second = make_participant("One Mentee"), make_participant("Two Mentee")
    rows = selectors.shortlist(programme=programme)
    assert {row.mentee.pk for row in rows} == {first.pk, second.pk}
    with pytest.raises(ValidationError, match="no free place"):
        services.pairings_confirm(
            programme=programme,
            pairs=[(first.user_id, mentor.user_id), (second.user_id, mentor.user_id)],
            acting_user=staff,
        )
    assert not Pairing.objects.exists()  # all or nothing
    with on_commit():
        services.pairings_confirm(
            programme=programme, pairs=[(first.user_id, mentor.user_id)], acting_user=staff
        )
    assert Pairing.objects.get().state == Pairing.State.PROPOSED
    assert [m.to for m in mailoutbox] == [[mentor.user.email]]
    assert "Would you mentor One Mentee?" in mailoutbox[0].subject
    assert [row.mentee.pk for row in selectors.shortlist(programme=programme)] == [second.pk]


def test_the_database_allows_one_open_pairing_per_mentee(programme, mentee, mentors):
    Pairing.objects.create(programme=programme, mentor=mentors[0].user, mentee=mentee.user, cadence_days=30)
    with pytest.raises(IntegrityError):
        Pairing.objects.create(
            programme=programme, mentor=mentors[1].user, mentee=mentee.user, cadence_days=30
        )


# --- the request cascade -----------------------------------------------------------------------


def _ask(programme, mentee, mentors):
    return services.request_create(
        programme=programme, mentee=mentee.user, mentor_ids=[m.user_id for m in mentors]
    )


def test_a_request_moves_on_after_three_days_exactly_once(programme, mentee, mentors, mailoutbox, on_commit):
    with time_machine.travel("2026-05-04 09:00 +01:00", tick=False):
        with on_commit():
            request = _ask(programme, mentee, mentors)
        assert [m.to for m in mailoutbox] == [[mentors[0].user.email]]
        first = Pairing.objects.get(mentor=mentors[0].user)
        assert first.answer_by == timezone.now() + timedelta(days=3)
    mailoutbox.clear()
    with time_machine.travel("2026-05-07 08:59 +01:00", tick=False):
        assert tasks.mentoring_requests_move_on() == 0
    with time_machine.travel("2026-05-07 09:01 +01:00", tick=False):
        with on_commit():
            assert tasks.mentoring_requests_move_on() == 1
            assert tasks.mentoring_requests_move_on() == 0  # a second run does nothing
            assert services.pairing_expire(pairing_id=first.pk) is False
        first.refresh_from_db()
        assert first.state == Pairing.State.DECLINED
        second = Pairing.objects.get(mentor=mentors[1].user)
        assert second.state == Pairing.State.PROPOSED
        assert sorted(tuple(m.to) for m in mailoutbox) == sorted(
            [(mentors[1].user.email,), (mentee.user.email,)]
        )
        assert any("gone to your next choice" in m.subject for m in mailoutbox)
    mailoutbox.clear()
    with time_machine.travel("2026-05-10 10:00 +01:00", tick=False), on_commit():
        assert tasks.mentoring_requests_move_on() == 1
    with time_machine.travel("2026-05-13 11:00 +01:00", tick=False), on_commit():
        assert tasks.mentoring_requests_move_on() == 1
        assert tasks.mentoring_requests_move_on() == 0
    request.refresh_from_db()
    assert request.state == MentoringRequest.State.EXHAUSTED
    exhausted = [m for m in mailoutbox if "None of the mentors" in m.subject]
    assert [m.to for m in exhausted] == [[mentee.user.email]]
    assert AuditEntry.objects.filter(action="mentoring.pairing.expired").count() == 3


def test_a_late_accept_is_refused_and_an_accept_in_time_closes_the_request(
    programme, mentee, mentors, on_commit, mailoutbox
):
    with time_machine.travel("2026-05-04 09:00 +01:00", tick=False):
        request = _ask(programme, mentee, mentors)
    first = Pairing.objects.get(mentor=mentors[0].user)
    with time_machine.travel("2026-05-07 10:00 +01:00", tick=False):
        with pytest.raises(ValidationError, match="time to answer"):
            services.pairing_accept(pairing=first, acting_user=mentors[0].user)
        tasks.mentoring_requests_move_on()
        second = Pairing.objects.get(mentor=mentors[1].user)
        with pytest.raises(ValidationError, match="Only the mentor"):
            services.pairing_accept(pairing=second, acting_user=mentee.user)
        with on_commit():
            services.pairing_accept(pairing=second, acting_user=mentors[1].user)
    second.refresh_from_db()
    request.refresh_from_db()
    assert second.state == Pairing.State.ACCEPTED
    assert second.ends_on == date(2026, 11, 7)
    assert second.agreed_goals == "Lead a data strategy for my borough"
    assert request.state == MentoringRequest.State.ACCEPTED
    started = [m for m in mailoutbox if m.subject == "Your mentoring pairing has started"]
    assert sorted(m.to[0] for m in started) == sorted([mentee.user.email, mentors[1].user.email])


def test_declining_asks_the_next_mentor_at_once(programme, mentee, mentors):
    _ask(programme, mentee, mentors)
    first = Pairing.objects.get(mentor=mentors[0].user)
    services.pairing_decline(pairing=first, acting_user=mentors[0].user)
    assert Pairing.objects.get(state=Pairing.State.PROPOSED).mentor == mentors[1].user


def test_a_request_skips_mentors_who_filled_up_meanwhile(programme, mentee, mentors, make_participant):
    taker = make_participant("Early Bird")
    mentors[1].capacity = 1
    mentors[1].save()
    _ask(programme, mentee, mentors)
    Pairing.objects.create(programme=programme, mentor=mentors[1].user, mentee=taker.user, cadence_days=30)
    services.pairing_decline(pairing=Pairing.objects.get(mentor=mentors[0].user), acting_user=mentors[0].user)
    assert Pairing.objects.get(state=Pairing.State.PROPOSED, mentee=mentee.user).mentor == mentors[2].user


def test_a_request_refuses_duplicates_self_and_non_mentors(programme, mentee, mentors, make_participant):
    other_mentee = make_participant("Not A Mentor")
    with pytest.raises(ValidationError, match="yourself"):
        services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentee.user_id])
    with pytest.raises(ValidationError, match="from the list"):
        services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[other_mentee.user_id])
    with pytest.raises(ValidationError, match="between 1 and 3"):
        services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[])
    _ask(programme, mentee, mentors[:1])
    with pytest.raises(ValidationError, match="already asked"):
        _ask(programme, mentee, mentors[1:2])
    assert MentoringRequest.objects.count() == 1


# --- under way ---------------------------------------------------------------------------------


@pytest.fixture
def accepted(programme, mentee, mentors):
    with time_machine.travel("2026-05-04 09:00 +01:00", tick=False):
        _ask(programme, mentee, mentors[:1])
        pairing = Pairing.objects.get()
        return services.pairing_accept(pairing=pairing, acting_user=mentors[0].user)


def test_the_first_check_in_makes_the_pairing_active_and_asks_both_about_fit(accepted, on_commit, mailoutbox):
    with time_machine.travel("2026-05-20 12:00 +01:00", tick=False):
        with on_commit():
            services.check_in_log(
                pairing=accepted, user=accepted.mentee, met_on=date(2026, 5, 19), note="Talked"
            )
        with on_commit():
            services.check_in_log(pairing=accepted, user=accepted.mentor, met_on=date(2026, 5, 20), note="")
    accepted.refresh_from_db()
    assert accepted.state == Pairing.State.ACTIVE
    asked = [m for m in mailoutbox if m.subject == "How is your mentoring going?"]
    assert sorted(m.to[0] for m in asked) == sorted([accepted.mentee.email, accepted.mentor.email])
    entry = AuditEntry.objects.filter(action="mentoring.check_in.logged").first()
    assert "Talked" not in str(entry.data)  # the note stays with the pair


def test_check_ins_refuse_outsiders_future_dates_and_dates_before_the_start(accepted, outsider):
    with time_machine.travel("2026-05-20 12:00 +01:00", tick=False):
        with pytest.raises(ValidationError, match="Only the two people"):
            services.check_in_log(pairing=accepted, user=outsider, met_on=date(2026, 5, 19), note="")
        with pytest.raises(ValidationError, match="today or in the past"):
            services.check_in_log(pairing=accepted, user=accepted.mentee, met_on=date(2026, 5, 21), note="")
        with pytest.raises(ValidationError, match="after the pairing started"):
            services.check_in_log(pairing=accepted, user=accepted.mentee, met_on=date(2026, 5, 1), note="")
    assert not accepted.check_ins.exists()


def test_not_a_good_fit_alerts_staff_once(accepted, on_commit, mailoutbox, settings):
    with time_machine.travel("2026-05-20 12:00 +01:00", tick=False):
        with pytest.raises(ValidationError, match="after your first check-in"):
            services.fit_answer_save(pairing=accepted, user=accepted.mentee, answer="not_good")
        services.check_in_log(pairing=accepted, user=accepted.mentee, met_on=date(2026, 5, 19), note="")
        mailoutbox.clear()
        with on_commit():
            services.fit_answer_save(pairing=accepted, user=accepted.mentee, answer="not_good")
        with on_commit():
            services.fit_answer_save(pairing=accepted, user=accepted.mentee, answer="not_good")
        with on_commit():
            services.fit_answer_save(pairing=accepted, user=accepted.mentor, answer="good")
    assert [m.to for m in mailoutbox] == [[settings.STAFF_NOTIFICATION_EMAIL]]
    assert "Mina Mentee said" in mailoutbox[0].body
    assert FitAnswer.objects.count() == 2


def test_one_check_in_reminder_after_cadence_plus_fourteen_days(accepted, on_commit, mailoutbox):
    mailoutbox.clear()
    # Accepted on 4 May, monthly: due by 4 May + 30 + 14 days = 17 June.
    with time_machine.travel("2026-06-17 10:00 +01:00", tick=False):
        assert tasks.mentoring_check_in_reminders_send() == 0
    with time_machine.travel("2026-06-18 10:00 +01:00", tick=False), on_commit():
        assert tasks.mentoring_check_in_reminders_send() == 1
        assert tasks.mentoring_check_in_reminders_send() == 0
        assert services.check_in_reminder_send(pairing_id=accepted.pk) is False
    with time_machine.travel("2026-07-30 10:00 +01:00", tick=False), on_commit():
        assert tasks.mentoring_check_in_reminders_send() == 0  # still one, however late
    reminders = [m for m in mailoutbox if m.subject == "Time for a mentoring check-in"]
    assert sorted(m.to[0] for m in reminders) == sorted([accepted.mentee.email, accepted.mentor.email])
    # A check-in ends the silence; the next silence gets its own one reminder.
    with time_machine.travel("2026-07-30 10:00 +01:00", tick=False):
        services.check_in_log(pairing=accepted, user=accepted.mentor, met_on=date(2026, 7, 29), note="")
    # Met on 29 July: due by 29 July + 30 + 14 days = 11 September.
    with time_machine.travel("2026-09-11 10:00 +01:00", tick=False):
        assert tasks.mentoring_check_in_reminders_send() == 0
    with time_machine.travel("2026-09-12 10:00 +01:00", tick=False):
        assert tasks.mentoring_check_in_reminders_send() == 1
    # Each reminder is one row of the outbox per person and missed due date.
    owed = Email.objects.filter(kind="mentoring.check_in_reminder").order_by("dedup_key")
    assert [row.dedup_key.split(":")[3] for row in owed] == ["2026-06-17"] * 2 + ["2026-09-11"] * 2


def test_a_pairing_completes_at_its_end_date_once(accepted, on_commit, mailoutbox):
    mailoutbox.clear()
    with time_machine.travel("2026-11-03 10:00 +00:00", tick=False):
        assert tasks.mentoring_pairings_complete() == 0
    with time_machine.travel("2026-11-04 10:00 +00:00", tick=False), on_commit():
        assert tasks.mentoring_pairings_complete() == 1
        assert tasks.mentoring_pairings_complete() == 0
    accepted.refresh_from_db()
    assert accepted.state == Pairing.State.COMPLETED
    assert len([m for m in mailoutbox if m.subject == "Your mentoring pairing is complete"]) == 2


def test_ending_early_tells_both_and_frees_the_mentee(
    accepted, programme, mentors, on_commit, mailoutbox, outsider
):
    with pytest.raises(ValidationError):
        services.pairing_end_early(pairing=accepted, acting_user=outsider, reason="")
    mailoutbox.clear()
    with on_commit():
        services.pairing_end_early(pairing=accepted, acting_user=accepted.mentee, reason="Moving role")
    assert len(mailoutbox) == 2 and "Moving role" in mailoutbox[0].body
    assert [row.mentee.user_id for row in selectors.shortlist(programme=programme)] == [accepted.mentee_id]


def test_an_email_that_no_longer_applies_is_not_sent(programme, mentee, mentors, mailoutbox, on_commit):
    with on_commit():
        _ask(programme, mentee, mentors[:1])
        # Withdrawn in the same transaction: by the time the email is written it no longer applies.
        services.request_withdraw(request=MentoringRequest.objects.get(), acting_user=mentee.user)
    assert mailoutbox == []
    assert list(Email.objects.values_list("kind", "state")) == [("mentoring.request_received", "skipped")]


def test_a_mentoring_email_is_owed_once_in_the_outbox(programme, mentee, mentors):
    _ask(programme, mentee, mentors[:1])
    pairing = Pairing.objects.get()
    key = f"pairing:{pairing.pk}:proposed"
    assert Email.objects.get(dedup_key=key).to == mentors[0].user.email
    with transaction.atomic():
        again = mentoring_email_enqueue(
            kind="mentoring.request_received",
            user=mentors[0].user,
            about=pairing,
            context_ids={"pairing": pairing.pk},
            dedup_key=key,
        )
    assert again is None
    assert Email.objects.filter(kind="mentoring.request_received").count() == 1


def test_an_email_to_a_closed_account_is_skipped(programme, mentee, mentors, on_commit, mailoutbox):
    with on_commit():
        _ask(programme, mentee, mentors[:1])
        pairing = Pairing.objects.get()
        mentors[0].user.is_active = False
        mentors[0].user.save(update_fields=["is_active"])
    assert mailoutbox == []
    assert Email.objects.get(dedup_key=f"pairing:{pairing.pk}:proposed").state == "skipped"


def test_a_user_never_seen_as_a_member_cannot_ask(programme, mentors):
    stranger = UserFactory()
    with pytest.raises(ValidationError, match="Finish signing up"):
        services.request_create(programme=programme, mentee=stranger, mentor_ids=[mentors[0].user_id])
