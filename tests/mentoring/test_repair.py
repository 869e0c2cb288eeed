"""Staff re-pair a mentee in one step; the pair edit the goals they agreed."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from mentoring import services
from mentoring.models import Pairing

pytestmark = pytest.mark.django_db

REASON = "Not a good fit: different working patterns"


@pytest.fixture
def active(programme, mentee, mentors):
    services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
    pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    services.check_in_log(pairing=pairing, user=mentee.user, met_on=date.today(), note="First chat")
    return pairing


def _re_pair_url(pairing):
    return reverse("admin:mentoring_pairing_re_pair", args=[pairing.pk])


def test_staff_end_a_pairing_and_propose_another_mentor_in_one_step(
    active, mentee, mentors, staff, mailoutbox, on_commit
):
    mailoutbox.clear()
    with on_commit():
        new = services.pairing_repair(
            pairing=active, mentor_id=mentors[1].user_id, reason=REASON, acting_user=staff
        )
    active.refresh_from_db()
    assert active.state == Pairing.State.ENDED_EARLY and active.end_reason == REASON
    assert (new.mentor, new.mentee, new.state) == (mentors[1].user, mentee.user, Pairing.State.PROPOSED)
    told = {m.to[0]: m for m in mailoutbox}
    assert set(told) == {mentors[0].user.email, mentee.user.email, mentors[1].user.email}
    assert REASON in told[mentee.user.email].body
    assert "Would you mentor Mina Mentee?" in told[mentors[1].user.email].subject
    assert AuditEntry.objects.filter(action="mentoring.pairing.re_paired", target_id=str(new.pk)).exists()


def test_re_pairing_with_a_full_mentor_changes_nothing(active, mentee, make_participant, staff):
    full = make_participant("Fay Full", role="mentor", capacity=1)
    other = make_participant("Oli Other")
    services.request_create(programme=active.programme, mentee=other.user, mentor_ids=[full.user_id])
    with pytest.raises(ValidationError, match="no free place"):
        services.pairing_repair(pairing=active, mentor_id=full.user_id, reason=REASON, acting_user=staff)
    active.refresh_from_db()
    assert active.state == Pairing.State.ACTIVE
    assert Pairing.objects.filter(mentee=mentee.user).count() == 1


def test_only_staff_re_pair_and_never_with_the_same_mentor(active, mentors, staff):
    with pytest.raises(ValidationError, match="networks team"):
        services.pairing_repair(
            pairing=active, mentor_id=mentors[1].user_id, reason=REASON, acting_user=mentors[0].user
        )
    with pytest.raises(ValidationError):
        services.pairing_repair(
            pairing=active, mentor_id=mentors[0].user_id, reason=REASON, acting_user=staff
        )
    with pytest.raises(ValidationError):
        services.pairing_repair(pairing=active, mentor_id=mentors[1].user_id, reason=" ", acting_user=staff)
    active.refresh_from_db()
    assert active.state == Pairing.State.ACTIVE


def test_the_re_pair_page_offers_other_mentors_and_shows_errors_by_the_field(
    client, active, mentee, mentors, staff, member
):
    client.force_login(staff)
    change = client.get(reverse("admin:mentoring_pairing_change", args=[active.pk])).content.decode()
    assert _re_pair_url(active) in change
    page = client.get(_re_pair_url(active)).content.decode()
    assert "Bea Second" in page and "Cat Third" in page
    assert f'value="{mentors[0].user_id}"' not in page  # not the mentor they have

    response = client.post(_re_pair_url(active), {"mentor": mentors[1].user_id, "reason": ""})
    assert response.status_code == 200
    assert "Enter why the pairing is ending" in response.content.decode()
    response = client.post(_re_pair_url(active), {"mentor": "999999", "reason": REASON})
    assert "Choose the new mentor" in response.content.decode()
    active.refresh_from_db()
    assert active.state == Pairing.State.ACTIVE

    response = client.post(_re_pair_url(active), {"mentor": mentors[1].user_id, "reason": REASON})
    new = Pairing.objects.get(state=Pairing.State.PROPOSED)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:mentoring_pairing_change", args=[new.pk])
    assert client.get(_re_pair_url(active)).status_code == 404  # it has ended

    client.force_login(member)
    assert client.get(_re_pair_url(new)).status_code == 302  # to the admin login


# --- agreed goals -------------------------------------------------------------------------------


def _goals_url(pairing):
    return reverse("mentoring:pairing-goals", args=[pairing.pk])


def test_the_mentee_changes_the_agreed_goals_and_the_mentor_sees_them(client, active, mentee, mentors):
    client.force_login(mentee.user)
    page = client.get(_goals_url(active)).content.decode()
    assert "Lead a data strategy for my borough" in page  # the mentee's goals to start from
    response = client.post(_goals_url(active), {"agreed_goals": "Draft the data strategy\nPresent it"})
    assert response.status_code == 302
    client.force_login(mentors[0].user)
    page = client.get(reverse("mentoring:pairing-detail", args=[active.pk])).content.decode()
    assert "Draft the data strategy<br>Present it" in page
    assert "Last changed by Mina Mentee" in page
    response = client.post(_goals_url(active), {"agreed_goals": "Draft the data strategy"})
    active.refresh_from_db()
    assert (
        active.agreed_goals == "Draft the data strategy" and active.agreed_goals_changed_by == mentors[0].user
    )


def test_agreed_goals_are_for_the_pair_only_and_bad_input_is_shown(client, active, mentee, outsider, staff):
    for person in (outsider, staff):
        client.force_login(person)
        assert client.get(_goals_url(active)).status_code == 404
        assert client.post(_goals_url(active), {"agreed_goals": "Hijack"}).status_code == 404
    client.force_login(mentee.user)
    response = client.post(_goals_url(active), {"agreed_goals": "  "})
    page = response.content.decode()
    assert (
        response.status_code == 200 and "There is a problem" in page and "Enter the goals you agreed" in page
    )
    response = client.post(_goals_url(active), {"agreed_goals": "x" * 2001})
    assert "2,000 characters or fewer" in response.content.decode()
    assert client.put(_goals_url(active)).status_code == 405
    active.refresh_from_db()
    assert (
        active.agreed_goals == "Lead a data strategy for my borough"
        and active.agreed_goals_changed_at is None
    )


def test_goals_cannot_change_once_a_pairing_has_ended(client, active, mentee):
    services.pairing_end_early(pairing=active, acting_user=mentee.user, reason="")
    client.force_login(mentee.user)
    assert client.get(_goals_url(active)).status_code == 404
    with pytest.raises(ValidationError):
        services.pairing_goals_save(pairing=active, user=mentee.user, agreed_goals="Later")


def test_staff_told_of_a_poor_fit_get_the_re_pair_page(active, mentee, mailoutbox, on_commit, settings):
    mailoutbox.clear()
    with on_commit():
        services.fit_answer_save(pairing=active, user=mentee.user, answer="not_good")
    [alert] = [m for m in mailoutbox if m.to == [settings.STAFF_NOTIFICATION_EMAIL]]
    assert _re_pair_url(active) in alert.body
    assert "pair Mina Mentee with another mentor in one step" in alert.body
