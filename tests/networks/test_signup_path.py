"""A newcomer who confirms their email lands on the page to choose networks."""

from django.urls import reverse

from networks.models import Membership
from tests.accounts.test_signup import confirmation_path, signup_data


def test_confirming_a_new_account_leads_to_choosing_networks(client, org, open_network, mailoutbox):
    client.post(reverse("account_signup"), signup_data())
    response = client.post(confirmation_path(mailoutbox[0]))
    assert response.status_code == 302
    assert response["Location"] == reverse("networks:choose")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Data Scientists" in page.content.decode()

    client.post(reverse("networks:choose"), {"networks": [open_network.slug]})
    membership = Membership.objects.get(network=open_network)
    assert membership.user.email == "nadia.hussain@camden.gov.uk"
    assert membership.is_active


def test_signing_in_later_still_goes_to_the_account_page(client, member):
    from tests.factories import PASSWORD

    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response["Location"] == reverse("accounts:profile-detail")
