"""The portal speaks with one voice: one greeting, one contact address, words that read right."""

import pytest
from django.conf import settings
from django.urls import reverse

from events.services import event_message_registrants, registration_create
from networks.models import Network
from networks.services import membership_apply
from tests.factories import EventFactory, NetworkFactory, UserFactory


@pytest.fixture
def new_person(org):
    return UserFactory(email="new.person@example.gov.uk", full_name="New Person", organisation=org)


def test_every_email_greets_the_person_the_same_way(
    new_person, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Introduction to Data")
    network = NetworkFactory(name="Data Leaders", join_policy=Network.JoinPolicy.APPROVAL)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=new_person, answers={}, acting_user=new_person)
    with django_capture_on_commit_callbacks(execute=True):
        membership_apply(
            user=new_person,
            network=network,
            answers={"reason": "To learn.", "job_title": "Analyst", "organisation": "Camden"},
        )
    to_person = [message for message in mailoutbox if message.to == [new_person.email]]
    assert len(to_person) == 2
    for message in to_person:
        html = message.alternatives[0][0]
        assert message.body.startswith("Hello New Person,"), message.subject
        assert "<p>Hello New Person,</p>" in html, message.subject
        assert "Dear" not in message.body


def test_a_message_to_registrants_is_sent_as_written(
    new_person, staff, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Introduction to Data")
    registration_create(event=event, user=new_person, answers={}, acting_user=new_person)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_message_registrants(
            event=event,
            recipients="confirmed",
            subject="Room change",
            body="Dear all,\n\nWe have moved to room 4.",
            acting_user=staff,
        )
    (message,) = mailoutbox
    assert message.body.startswith("Dear all,\n\nWe have moved to room 4.")
    assert "Hello" not in message.body
    assert "Hello" not in message.alternatives[0][0]


def test_one_contact_address_everywhere(client, db):
    network = NetworkFactory(name="Data Scientists", contact_email="")
    footer = client.get(reverse("home")).content.decode()
    page = client.get(reverse("networks:network-detail", args=[network.slug])).content.decode()
    assert f"mailto:{settings.CONTACT_EMAIL}" in footer
    assert "loti.example" not in footer
    assert "Subscribe to the Data Scientists calendar" in page
    assert "Scientists's" not in page
