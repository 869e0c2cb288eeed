"""Network pages read what everyone sees from the cache, and show a change as soon as it is made."""

from django.urls import reverse

from networks.models import Membership
from networks.services import membership_join, membership_leave, membership_set_role
from tests.factories import UserFactory


def test_member_count_follows_people_joining_and_leaving(client, member, org, open_network):
    client.force_login(member)
    detail = reverse("networks:network-detail", args=[open_network.slug])
    listing = reverse("networks:network-list")
    assert client.get(detail).context["network"].member_count == 0
    assert client.get(listing).context["networks"][0].member_count == 0
    membership = membership_join(user=UserFactory(organisation=org), network=open_network)
    assert client.get(detail).context["network"].member_count == 1
    assert client.get(listing).context["networks"][0].member_count == 1
    membership_leave(membership=membership, acting_user=membership.user)
    assert client.get(detail).context["network"].member_count == 0


def test_leads_follow_a_change_of_role(client, member, org, staff, open_network):
    client.force_login(member)
    url = reverse("networks:network-detail", args=[open_network.slug])
    person = UserFactory(organisation=org, full_name="Priya Shah")
    membership = membership_join(user=person, network=open_network)
    assert client.get(url).context["leads"] == []
    membership_set_role(membership=membership, role=Membership.Role.LEAD, acting_user=staff)
    response = client.get(url)
    assert [lead.name for lead in response.context["leads"]] == ["Priya Shah"]
    assert "Priya Shah, Camden (lead)" in response.content.decode()


def test_each_person_sees_their_own_status(client, member, outsider, org, open_network):
    membership_join(user=member, network=open_network)
    url = reverse("networks:network-list")
    client.force_login(member)
    assert client.get(url).context["networks"][0].my_status == Membership.Status.ACTIVE
    client.force_login(outsider)
    assert client.get(url).context["networks"][0].my_status is None


def test_network_page_shows_each_person_their_own_place(client, member, outsider, org, open_network):
    membership_join(user=member, network=open_network)
    url = reverse("networks:network-detail", args=[open_network.slug])
    client.force_login(member)
    assert f"Leave {open_network.name}" in client.get(url).content.decode()
    client.force_login(outsider)
    html = client.get(url).content.decode()
    assert f"Leave {open_network.name}" not in html
    assert f"Join {open_network.name}" in html
