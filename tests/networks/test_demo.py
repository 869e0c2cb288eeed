import io

from django.core.management import call_command

from networks.models import Membership, Network


def snapshot():
    networks = list(Network.objects.order_by("slug").values())
    memberships = list(
        Membership.objects.order_by("network__slug", "user__email").values(
            "user__email", "network__slug", "status", "role", "answers", "joined_at", "applied_at"
        )
    )
    return networks, memberships


def test_demo_loads_the_four_networks_with_members_across_boroughs_and_a_pending_application(db):
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == first

    networks = {network.name: network for network in Network.objects.all()}
    assert set(networks) == {
        "Data Leaders",
        "Data Practitioners",
        "Data Scientists",
        "Women's Digital Leaders",
    }
    assert networks["Data Leaders"].join_policy == "approval"
    assert networks["Data Leaders"].meeting_frequency == "monthly"
    assert networks["Data Practitioners"].join_policy == "open"
    assert networks["Data Practitioners"].meeting_frequency == "quarterly"
    assert "basecamp" in networks["Data Practitioners"].discussion_url
    assert networks["Data Scientists"].join_policy == "open"
    assert networks["Data Scientists"].meeting_frequency == "monthly"
    assert networks["Women's Digital Leaders"].join_policy == "approval"
    assert "Hackney" in networks["Women's Digital Leaders"].description
    assert all(network.description and network.audience for network in networks.values())

    active = Membership.objects.filter(status="active")
    organisations = set(active.values_list("user__organisation__name", flat=True))
    assert {"Camden", "Hackney", "Redbridge", "Metropolitan Police", "London Fire Brigade"} <= organisations
    pending = Membership.objects.get(status="pending")
    assert pending.network.name == "Data Leaders"
    assert pending.answers["reason"]
    assert active.filter(role="lead").count() == 4
