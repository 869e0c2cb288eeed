"""A subscriber's data is in "download my data" and is deleted with the account."""

import pytest
from django.urls import reverse

from newsletter.models import NetworkDigest, Subscriber
from newsletter.services import digests_set, subscriber_subscribe_member
from privacy.services import account_delete, personal_data_export
from tests.factories import MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed_member(member):
    network = NetworkFactory(name="Data Scientists")
    MembershipFactory(user=member, network=network)
    subscriber_subscribe_member(user=member)
    digests_set(user=member, network_ids={network.pk})
    return member


def test_download_my_data_has_the_subscription_and_digests(client, subscribed_member, outsider):
    Subscriber.objects.create(email=outsider.email, name="Olly", status="subscribed")
    data = personal_data_export(user=subscribed_member)
    assert [row["email"] for row in data["newsletter"]] == [subscribed_member.email]
    assert data["newsletter"][0]["status"] == "Subscribed"
    assert [row["network"] for row in data["weekly_digests"]] == ["Data Scientists"]
    client.force_login(subscribed_member)
    page = client.get(reverse("privacy:personal-data")).content.decode()
    assert f"Monthly newsletter to {subscribed_member.email}" in page
    assert "Weekly digest of new sessions in Data Scientists" in page
    assert outsider.email not in page


def test_a_subscription_by_address_alone_is_in_the_export_too(member):
    Subscriber.objects.create(email=member.email, name="Amara", status="pending")
    assert [row["name"] for row in personal_data_export(user=member)["newsletter"]] == ["Amara"]


def test_deleting_the_account_deletes_the_subscription_and_digests(subscribed_member, outsider):
    Subscriber.objects.create(email=outsider.email, status="subscribed")
    account_delete(user=subscribed_member)
    assert list(Subscriber.objects.values_list("email", flat=True)) == [outsider.email]
    assert not NetworkDigest.objects.exists()


def test_deleting_the_account_deletes_a_subscription_made_signed_out(member):
    Subscriber.objects.create(email=member.email, status="subscribed")  # no account link
    account_delete(user=member)
    assert not Subscriber.objects.exists()
