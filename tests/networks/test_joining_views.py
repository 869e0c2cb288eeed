"""The ways into a network: joining an open one, choosing networks after signing up, and
accepting an invitation."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from networks import services
from networks.models import Membership
from tests.factories import MembershipFactory, NetworkFactory
from tests.networks.pages import apply_data, html_of, url

# --- joining --------------------------------------------------------------------------------


def test_joining_an_open_network(client, member, open_network, on_commit, mailoutbox):
    client.force_login(member)
    with on_commit():
        response = client.post(url("network-join", open_network), follow=True)
    assert response.redirect_chain == [(url("network-detail", open_network), 302)]
    assert "You have joined Data Scientists." in html_of(response)
    assert Membership.objects.get(user=member, network=open_network).is_active
    assert open_network.discussion_url in html_of(response)
    assert [m.subject for m in mailoutbox] == ["Welcome to Data Scientists"]


def test_joining_twice_is_harmless(client, member, open_network):
    client.force_login(member)
    client.post(url("network-join", open_network))
    response = client.post(url("network-join", open_network), follow=True)
    assert "You are already a member of Data Scientists." in html_of(response)
    assert Membership.objects.count() == 1


def test_joining_needs_signing_in(client, open_network):
    response = client.post(url("network-join", open_network))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.exists()


def test_joining_refuses_get(client, member, open_network):
    client.force_login(member)
    assert client.get(url("network-join", open_network)).status_code == 405
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("network_fixture", "message"),
    [
        ("approval_network", "Data Leaders reviews applications: apply to join it."),
        ("invitation_network", "Chief Officers is by invitation only."),
    ],
)
def test_joining_a_network_that_is_not_open_is_refused_with_a_message(
    client, request, member, network_fixture, message
):
    network = request.getfixturevalue(network_fixture)
    client.force_login(member)
    response = client.post(url("network-join", network), follow=True)
    assert response.status_code == 200
    assert message in html_of(response)
    assert not Membership.objects.exists()


def test_joining_an_unknown_network_is_not_found(client, member):
    client.force_login(member)
    assert client.post(reverse("networks:network-join", args=["nope"])).status_code == 404


# --- choosing networks after signing up -----------------------------------------------------


def test_the_chooser_offers_only_networks_the_person_can_join_or_apply_to(
    client, member, open_network, approval_network, invitation_network
):
    NetworkFactory(name="Suppliers forum", eligible_organisation_kinds=["supplier"])
    MembershipFactory(user=member, network=NetworkFactory(name="Already in"))
    client.force_login(member)
    response = client.get(url("choose"))
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Choose networks to join – LOTI Network Portal</title>" in html
    assert [choice[0] for choice in response.context["form"].fields["networks"].choices] == [
        approval_network.slug,
        open_network.slug,
    ]
    assert "Chief Officers" not in html and "Suppliers forum" not in html and "Already in" not in html
    assert "the networks team reviews your application" in html
    assert "You join straight away." in html


def test_choosing_joins_open_networks_and_applies_to_the_others(
    client, member, open_network, approval_network, on_commit, mailoutbox
):
    client.force_login(member)
    with on_commit():
        response = client.post(
            url("choose"),
            {"networks": [open_network.slug, approval_network.slug], **apply_data()},
            follow=True,
        )
    assert response.redirect_chain == [(url("my-networks"), 302)]
    html = html_of(response)
    assert "You have joined Data Scientists." in html
    assert "Your application to join Data Leaders has been sent" in html
    assert Membership.objects.get(network=open_network).is_active
    assert Membership.objects.get(network=approval_network).is_pending
    assert sorted(m.subject for m in mailoutbox) == [
        "New application to Data Leaders from Amara Member",
        "We have received your application to join Data Leaders",
        "Welcome to Data Scientists",
    ]


def test_choosing_only_open_networks_needs_no_answers(client, member, open_network, approval_network):
    client.force_login(member)
    response = client.post(url("choose"), {"networks": [open_network.slug]})
    assert response.status_code == 302
    assert Membership.objects.get().is_active
    assert Membership.objects.get().answers == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select at least one network, or choose ‘Skip for now’"),
        ({"networks": ["data-leaders"]}, "Tell us why you want to join"),
        ({"networks": ["data-leaders"], **apply_data(seniority="")}, "Choose how senior your role is"),
        ({"networks": ["chief-officers"]}, "Select networks from the list"),
        ({"networks": ["data-scientists", "no-such-network"]}, "Select networks from the list"),
    ],
)
def test_bad_choices_are_shown_and_nothing_is_stored(
    client, member, open_network, approval_network, invitation_network, data, message
):
    client.force_login(member)
    response = client.post(url("choose"), data)
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Error: Choose networks to join" in html
    assert message in html
    assert not Membership.objects.exists()


def test_the_chooser_needs_signing_in_and_get_or_post(client, member):
    assert client.get(url("choose")).status_code == 302
    client.force_login(member)
    assert client.put(url("choose")).status_code == 405


def test_the_chooser_says_when_there_is_nothing_to_join(client, member, invitation_network):
    client.force_login(member)
    assert "no networks for you to join" in html_of(client.get(url("choose")))


# --- invitations ----------------------------------------------------------------------------


@pytest.fixture
def invitation(staff, member, invitation_network):
    return services.invitation_create(network=invitation_network, email=member.email, invited_by=staff)


def invitation_url(invitation):
    return reverse("networks:invitation-accept", args=[invitation.token])


def test_accepting_an_invitation(client, member, invitation):
    client.force_login(member)
    page = client.get(invitation_url(invitation))
    assert page.status_code == 200
    assert "Accept and join Chief Officers" in html_of(page)
    response = client.post(invitation_url(invitation), follow=True)
    assert response.redirect_chain == [(url("network-detail", invitation.network), 302)]
    assert "You have joined Chief Officers." in html_of(response)
    assert Membership.objects.get(user=member).is_active
    # The link has done its job: using it again just leads to the network.
    assert client.get(invitation_url(invitation)).status_code == 302


def test_an_invitation_needs_signing_in_first(client, invitation):
    response = client.get(invitation_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_someone_else_cannot_use_an_invitation(client, outsider, invitation):
    client.force_login(outsider)
    for method in (client.get, client.post):
        response = method(invitation_url(invitation))
        assert response.status_code == 403
        assert "sent to a different email address" in html_of(response)
        assert invitation.email not in html_of(response)
    assert not Membership.objects.exists()


def test_an_expired_invitation_says_so(client, member, invitation):
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        client.force_login(member)
        response = client.post(invitation_url(invitation))
    assert response.status_code == 410
    assert "This invitation has expired." in html_of(response)
    assert not Membership.objects.exists()


def test_unknown_invitations_are_not_found_and_other_methods_refused(client, member, invitation):
    client.force_login(member)
    assert client.get(reverse("networks:invitation-accept", args=["not-a-token"])).status_code == 404
    assert client.put(invitation_url(invitation)).status_code == 405
