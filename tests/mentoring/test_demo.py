import io

from django.core.management import call_command
from django.db.models import Q

from mentoring import selectors
from mentoring.models import MentoringProfile, MentoringProgramme, MentoringRequest, Pairing, PeerCircle


def snapshot():
    return (
        list(
            MentoringProfile.objects.order_by("user__email").values(
                "user__email", "role", "goals", "capacity"
            )
        ),
        list(Pairing.objects.order_by("mentee__email").values("mentor__email", "mentee__email", "state")),
        list(MentoringRequest.objects.values("mentee__email", "state", "mentors")),
        list(PeerCircle.objects.order_by("slug").values("slug", "name", "memberships__user__email")),
    )


def test_demo_loads_the_womens_digital_leaders_programme_safely_twice(db):
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == first

    programme = MentoringProgramme.objects.get(network__slug="womens-digital-leaders")
    profiles = MentoringProfile.objects.filter(programme=programme)
    assert profiles.filter(role="mentor").count() == 6
    assert profiles.filter(role="mentee").count() == 8
    assert all(profile.is_complete for profile in profiles)
    assert len({profile.user.organisation_id for profile in profiles}) == 14  # across boroughs and partners
    current = Pairing.objects.filter(programme=programme, state__in=Pairing.CURRENT_STATES)
    assert current.filter(state="active").count() >= 3
    at_risk = [pairing for pairing in current if pairing.check_in_overdue]
    assert [str(pairing) for pairing in at_risk] == ["Mei Lin mentoring Hannah Kowalski"]
    waiting = MentoringRequest.objects.get(state="waiting")
    assert waiting.mentee.full_name == "Ruth Osei"
    assert Pairing.objects.get(request=waiting, state="proposed").mentor.full_name == "Rachel Green"
    # Two mentees are left for staff to match from the shortlist.
    assert {row.mentee.user.full_name for row in selectors.shortlist(programme=programme)} == {
        "Jess Walker",
        "Chloe Martin",
    }
    assert not Pairing.objects.filter(~Q(programme=programme)).exists()
    sizes = {circle.name: circle.memberships.count() for circle in PeerCircle.objects.all()}
    assert sizes == {"Tuesday lunch circle": 6, "New leaders circle": 4}
    assert all(circle.meetings.exists() for circle in PeerCircle.objects.all())
