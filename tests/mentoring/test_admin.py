import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEntry
from mentoring import services
from mentoring.models import MentoringProgramme, Pairing

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _shortlist_url(programme):
    return reverse("admin:mentoring_mentoringprogramme_shortlist", args=[programme.pk])


def test_staff_see_a_ranked_shortlist_and_confirm_pairs_in_bulk(
    staff_client, programme, make_participant, mentors
):
    first, second = make_participant("First Mentee"), make_participant("Second Mentee")
    page = staff_client.get(_shortlist_url(programme)).content.decode()
    assert "First Mentee" in page and "Second Mentee" in page and "Ada First" in page and "score" in page
    response = staff_client.post(
        _shortlist_url(programme),
        {
            f"pair-{first.user_id}": f"{first.user_id}:{mentors[0].user_id}",
            f"pair-{second.user_id}": f"{second.user_id}:{mentors[1].user_id}",
        },
        follow=True,
    )
    assert "2 pairings proposed" in response.content.decode()
    assert set(Pairing.objects.values_list("mentee__full_name", "mentor__full_name")) == {
        ("First Mentee", "Ada First"),
        ("Second Mentee", "Bea Second"),
    }
    assert AuditEntry.objects.filter(action="mentoring.pairing.proposed").count() == 2


def test_confirming_nothing_or_a_full_mentor_says_why_and_stores_nothing(
    staff_client, programme, make_participant
):
    mentor = make_participant("Only One", role="mentor", capacity=1)
    first, second = make_participant("First Mentee"), make_participant("Second Mentee")
    response = staff_client.post(_shortlist_url(programme), {}, follow=True)
    assert "Choose at least one pair" in response.content.decode()
    response = staff_client.post(
        _shortlist_url(programme),
        {
            f"pair-{first.user_id}": f"{first.user_id}:{mentor.user_id}",
            f"pair-{second.user_id}": f"{second.user_id}:{mentor.user_id}",
        },
        follow=True,
    )
    assert "Only One has no free place" in response.content.decode()
    assert not Pairing.objects.exists()


def test_the_shortlist_is_for_staff_only(client, member, programme):
    client.force_login(member)
    assert client.get(_shortlist_url(programme)).status_code == 302  # to the admin login


def test_pairings_at_risk_filter_and_csv_export(staff_client, programme, mentee, mentors, make_participant):
    with time_machine.travel("2026-03-02 10:00 +00:00", tick=False):
        services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
        quiet = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
        other = make_participant("Happy Mentee")
        services.pairings_confirm(
            programme=programme, pairs=[(other.user_id, mentors[1].user_id)], acting_user=mentors[1].user
        )
        healthy = services.pairing_accept(
            pairing=Pairing.objects.get(mentee=other.user), acting_user=mentors[1].user
        )
    with time_machine.travel("2026-04-20 10:00 +01:00", tick=False):
        services.check_in_log(
            pairing=healthy, user=other.user, met_on=date(2026, 4, 19), note="private words"
        )
        changelist = reverse("admin:mentoring_pairing_changelist")
        at_risk = staff_client.get(changelist + "?at_risk=yes").content.decode()
        assert "Ada First mentoring Mina Mentee" in at_risk and "Happy Mentee" not in at_risk
        fine = staff_client.get(changelist + "?at_risk=no").content.decode()
        assert "Happy Mentee" in fine and "Mina Mentee" not in fine
        response = staff_client.post(
            changelist, {"action": "export_csv", "_selected_action": [quiet.pk, healthy.pk]}
        )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Programme", "Mentor", "Mentee", "State"]
    by_mentee = {row[2]: row for row in rows[1:]}
    assert by_mentee["Mina Mentee"][-1] == "yes" and by_mentee["Happy Mentee"][-2] == "2026-04-19"
    assert "private words" not in response.content.decode()


def test_a_not_a_good_fit_answer_puts_the_pairing_at_risk(staff_client, programme, mentee, mentors):
    services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
    pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    services.check_in_log(pairing=pairing, user=mentee.user, met_on=date.today(), note="")
    changelist = reverse("admin:mentoring_pairing_changelist")
    assert "Mina Mentee" not in staff_client.get(changelist + "?at_risk=yes").content.decode()
    services.fit_answer_save(pairing=pairing, user=mentee.user, answer="not_good")
    assert "Mina Mentee" in staff_client.get(changelist + "?at_risk=yes").content.decode()
    page = staff_client.get(reverse("admin:mentoring_pairing_change", args=[pairing.pk])).content.decode()
    assert "Mina Mentee: Not a good fit" in page


def test_staff_end_pairings_early_through_the_service(staff_client, programme, mentee, mentors):
    services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
    pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    staff_client.post(
        reverse("admin:mentoring_pairing_changelist"),
        {"action": "end_early", "_selected_action": [pairing.pk]},
    )
    pairing.refresh_from_db()
    assert pairing.state == Pairing.State.ENDED_EARLY
    assert AuditEntry.objects.filter(action="mentoring.pairing.ended_early", actor__is_staff=True).exists()


def test_a_programme_saved_in_admin_is_audited_and_checked(staff_client, programme, network):
    url = reverse("admin:mentoring_mentoringprogramme_add")
    data = {
        "network": network.pk,
        "name": "Yours",
        "slug": "yours",
        "starts_on": "2026-01-01",
        "ends_on": "2025-01-01",
        "pairing_months": 6,
        "cadence_days": 30,
        "max_mentees_per_mentor": 2,
        "matching_mode": "staff",
        "code_of_conduct": "Be kind.",
    }
    page = staff_client.post(url, data).content.decode()
    assert "is the address of another page" in page and "must end after it starts" in page
    response = staff_client.post(url, {**data, "slug": "wdl-2027", "ends_on": "2027-01-01"})
    assert response.status_code == 302
    created = MentoringProgramme.objects.get(slug="wdl-2027")
    assert AuditEntry.objects.filter(action="mentoring.programme.created", target_id=str(created.pk)).exists()
