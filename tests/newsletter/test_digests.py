"""The weekly digest: per person, only that week's new sessions of the networks they chose that
they may register for, each with its register link; off by default; off in one click."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Invitation
from newsletter.models import NetworkDigest, SessionPublished
from newsletter.services import digests_send, digests_set, sessions_record_published
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_scientists(db):
    return NetworkFactory(name="Data Scientists")


@pytest.fixture
def week(data_scientists, member, outsider):
    """Sessions seen published in the last week, and one seen a month ago."""
    other = NetworkFactory(name="Data Leaders")
    for person in (member, outsider):
        MembershipFactory(user=person, network=data_scientists)
        MembershipFactory(user=person, network=other)
    sessions_record_published()  # nothing yet: the first run is done
    partner = UserFactory(
        email="pat@met.police.uk", organisation=OrganisationFactory(name="Met Police", kind="partner")
    )
    MembershipFactory(user=partner, network=data_scientists)
    events = {
        "open": EventFactory(title="Python for analysts", network=data_scientists),
        "members": EventFactory(
            title="Members' model review", network=data_scientists, audience=Event.Audience.NETWORK_MEMBERS
        ),
        "borough": EventFactory(
            title="Borough data roundtable", network=data_scientists, audience=Event.Audience.BOROUGH_STAFF
        ),
        "invited": EventFactory(
            title="Invited supplier demo", network=data_scientists, audience=Event.Audience.INVITATION
        ),
        "closed": EventFactory(
            title="Registration closed session",
            network=data_scientists,
            registration_closes=timezone.now() - timedelta(hours=1),
        ),
        "draft": EventFactory(title="Draft session", network=data_scientists, status=Event.Status.DRAFT),
        "other": EventFactory(title="Leaders' breakfast", network=other),
        "old": EventFactory(title="Published last month", network=data_scientists),
    }
    Invitation.objects.create(event=events["invited"], email=outsider.email)
    sessions_record_published(now=timezone.now() - timedelta(days=3))
    SessionPublished.objects.filter(event=events["old"]).update(
        first_seen_at=timezone.now() - timedelta(days=30)
    )
    return {"events": events, "partner": partner}


def _digests(send, mailoutbox, now=None):
    with send():
        digests_send(now=now or timezone.now() + timedelta(days=1))
    return {message.to[0]: message for message in mailoutbox}


def test_digests_are_off_by_default(week, send, mailoutbox):
    assert _digests(send, mailoutbox) == {}


def test_each_person_gets_only_new_sessions_they_may_register_for(
    week, member, outsider, data_scientists, send, mailoutbox
):
    for person in (member, outsider, week["partner"]):
        digests_set(user=person, network_ids={data_scientists.pk})
    sent = _digests(send, mailoutbox)

    camden = sent[member.email]
    assert "Python for analysts" in camden.body
    assert "Members' model review" in camden.body and "Borough data roundtable" in camden.body
    for title in [
        "Invited supplier demo",
        "Registration closed session",
        "Draft session",
        "Leaders' breakfast",
        "Published last month",
    ]:
        assert title not in camden.body and title not in camden.alternatives[0][0]
    register = reverse("events:event-register", args=[week["events"]["open"].slug])
    assert register in camden.body and register in camden.alternatives[0][0]
    assert camden.subject == "3 new sessions in your networks"

    hackney = sent[outsider.email]  # invited to the invitation-only one
    assert "Invited supplier demo" in hackney.body

    police = sent[week["partner"].email]  # a partner, not a borough
    assert "Python for analysts" in police.body
    assert "Borough data roundtable" not in police.body


def test_no_digest_when_there_is_nothing_new(week, member, data_scientists, send, mailoutbox):
    digests_set(user=member, network_ids={data_scientists.pk})
    assert _digests(send, mailoutbox, now=timezone.now() + timedelta(days=15)) == {}


def test_a_digest_goes_once_per_week(week, member, data_scientists, send, mailoutbox):
    digests_set(user=member, network_ids={data_scientists.pk})
    # Tomorrow mid-morning, London time: both runs fall in the same digest week whatever the hour
    # the test runs at.
    now = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=10, minute=0)
    _digests(send, mailoutbox, now=now)
    _digests(send, mailoutbox, now=now + timedelta(minutes=5))
    assert len(mailoutbox) == 1


def test_one_click_in_the_digest_turns_it_off(client, week, member, data_scientists, send, mailoutbox):
    digests_set(user=member, network_ids={data_scientists.pk})
    message = _digests(send, mailoutbox)[member.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    off = link_in(message, "/newsletter/digests/off/")
    assert client.get(off).status_code == 200
    assert NetworkDigest.objects.filter(user=member).exists()
    assert client.post(off).status_code == 200
    assert not NetworkDigest.objects.filter(user=member).exists()
    assert client.post(off[:-3] + "xx/").status_code == 400


def test_digests_are_turned_on_and_off_in_notification_settings(client, member, data_scientists):
    MembershipFactory(user=member, network=data_scientists)
    client.force_login(member)
    page = client.get(reverse("events:notification-settings")).content.decode()
    assert "Email me once a week about new sessions in" in page
    response = client.post(
        reverse("newsletter:digest-settings"), {"digest-networks": [str(data_scientists.pk)]}
    )
    assert response.status_code == 302
    assert list(NetworkDigest.objects.values_list("user", "network")) == [(member.pk, data_scientists.pk)]
    page = client.get(reverse("events:notification-settings")).content.decode()
    assert re.search(rf'id="id_digest-networks_1"\s+value="{data_scientists.pk}"\s+checked', page)
    client.post(reverse("newsletter:digest-settings"), {})
    assert not NetworkDigest.objects.exists()


def test_digest_settings_refuse_a_network_the_person_is_not_in(client, member, data_scientists):
    client.force_login(member)
    response = client.post(
        reverse("newsletter:digest-settings"), {"digest-networks": [str(data_scientists.pk)]}, follow=True
    )
    assert "were not saved" in response.content.decode()
    assert not NetworkDigest.objects.exists()
