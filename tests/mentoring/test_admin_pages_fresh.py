"""Staff changes to mentoring in Django admin show on the network's page at once, with whole pages
kept (loti_portal/versions.py): each test draws the page, changes something through the real
admin form or action, and draws the page again."""

import pytest
from django.urls import reverse

from mentoring import circles
from mentoring.models import CirclePlacementRequest, MentoringProgramme, PeerCircle
from tests.factories import MembershipFactory, NetworkFactory
from tests.helpers import admin_post_change, admin_run_action, page_html

pytestmark = pytest.mark.usefixtures("pages_kept")


@pytest.fixture
def looking(client, member, network):
    """A member of the network looking at its page."""
    MembershipFactory(user=member, network=network)
    client.force_login(member)
    return client


def network_page(client, network) -> str:
    return page_html(client, reverse("networks:network-detail", args=[network.slug]))


@pytest.mark.parametrize(
    "model, fixture, shown",
    [
        (MentoringProgramme, "programme", "WDL mentoring 2026"),
        (PeerCircle, "circle", "Tuesday lunch circle"),
    ],
)
def test_a_programme_or_a_circle_deleted_in_admin_leaves_the_networks_page(
    request, looking, staff_browser, network, model, fixture, shown
):
    row = request.getfixturevalue(fixture)
    assert shown in network_page(looking, network)

    response = staff_browser.post(
        reverse(f"admin:mentoring_{model._meta.model_name}_delete", args=[row.pk]), {"post": "yes"}
    )

    assert response.status_code == 302 and not model.objects.exists()
    assert shown not in network_page(looking, network)


def test_a_programme_moved_to_another_network_in_admin_leaves_the_first_ones_page(
    looking, staff_browser, network, programme
):
    assert "WDL mentoring 2026" in network_page(looking, network)
    other = NetworkFactory(name="Data Leaders")

    admin_post_change(
        staff_browser,
        "mentoring_mentoringprogramme",
        programme,
        "mentoringprogramme_form",
        network=str(other.pk),
        focus_areas=[str(area.pk) for area in programme.focus_areas.all()],
    )

    programme.refresh_from_db()
    assert programme.network == other
    assert "WDL mentoring 2026" not in network_page(looking, network)


def test_circles_deleted_together_in_admin_leave_the_networks_page(
    looking, staff_browser, network, circle, staff
):
    second = circles.circle_save(
        circle=PeerCircle(
            network=network,
            name="Thursday breakfast circle",
            slug="thursday-breakfast",
            cadence_week=2,
            cadence_weekday=3,
            cadence_start_time=circle.cadence_start_time,
            cadence_duration_minutes=45,
            cadence_starts_on=circle.cadence_starts_on,
            meeting_online_url="https://meet.loti.london/thursday-breakfast",
        ),
        changed_fields=[],
        acting_user=staff,
    )
    html = network_page(looking, network)
    assert "Tuesday lunch circle" in html and "Thursday breakfast circle" in html

    admin_run_action(staff_browser, "mentoring_peercircle", "delete_selected", [circle, second], post="yes")

    assert not PeerCircle.objects.exists()
    html = network_page(looking, network)
    assert "Tuesday lunch circle" not in html and "Thursday breakfast circle" not in html


def test_a_circle_moved_to_another_network_in_admin_leaves_the_first_ones_page(
    looking, staff_browser, network, circle
):
    assert "Tuesday lunch circle" in network_page(looking, network)
    other = NetworkFactory(name="Data Leaders")

    admin_post_change(staff_browser, "mentoring_peercircle", circle, "peercircle_form", network=str(other.pk))

    circle.refresh_from_db()
    assert circle.network == other
    assert "Tuesday lunch circle" not in network_page(looking, network)


def test_a_placement_request_deleted_in_admin_no_longer_tells_the_person_they_wait(
    looking, staff_browser, network, member, circle
):
    placement = circles.circle_placement_request(network=network, user=member, note="Mornings suit me.")
    # In no circle, and asked to be placed: the page says so.
    asked = "You have asked to join a circle."
    assert asked in network_page(looking, network)

    response = staff_browser.post(
        reverse("admin:mentoring_circleplacementrequest_delete", args=[placement.pk]), {"post": "yes"}
    )

    assert response.status_code == 302 and not CirclePlacementRequest.objects.exists()
    html = network_page(looking, network)
    assert asked not in html and "Ask to join a peer-support circle" in html
