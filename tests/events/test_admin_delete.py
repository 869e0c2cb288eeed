"""Staff cannot delete an event people registered for; they are offered to cancel it, in words.
And the admin links each event and network to its page on the portal."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from events.models import Event, Registration
from tests.factories import EventFactory, NetworkFactory, RegistrationFactory


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_deleting_an_event_with_registrations_offers_to_cancel_it(
    staff_client, member, event, committed, mailoutbox
):
    RegistrationFactory(event=event, user=member)
    page = staff_client.get(reverse("admin:events_event_delete", args=[event.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "This event cannot be deleted" in text
    assert "1 registration" in text
    assert "Cancel the event and tell registrants" in text
    assert "Cannot delete" not in text and "protected" not in text

    # Posting the delete form anyway deletes nothing.
    staff_client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
    assert Event.objects.filter(pk=event.pk).exists()
    assert Registration.objects.filter(event=event).count() == 1

    # The offered button cancels the event and tells the registrant.
    with committed():
        staff_client.post(
            reverse("admin:events_event_changelist"),
            {"action": "cancel_events", ACTION_CHECKBOX_NAME: [event.pk]},
        )
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert [message.to for message in mailoutbox] == [[member.email]]


def test_bulk_delete_refuses_events_with_registrations_and_deletes_nothing(staff_client, member, event):
    RegistrationFactory(event=event, user=member)
    empty = EventFactory(title="Nobody came")
    page = staff_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [event.pk, empty.pk]},
    )
    assert "cannot be deleted" in page.content.decode()
    assert Event.objects.filter(pk__in=[event.pk, empty.pk]).count() == 2


def test_an_event_without_registrations_can_still_be_deleted(staff_client):
    empty = EventFactory(title="Nobody came")
    staff_client.post(reverse("admin:events_event_delete", args=[empty.pk]), {"post": "yes"})
    assert not Event.objects.filter(pk=empty.pk).exists()


def test_events_and_networks_link_to_their_page_on_the_portal(staff_client, event):
    network = NetworkFactory(name="Data Leaders")
    page = staff_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "View on site" in page
    assert staff_client.get(event.get_absolute_url()).status_code == 200
    page = staff_client.get(reverse("admin:networks_network_change", args=[network.pk])).content.decode()
    assert "View on site" in page
    assert staff_client.get(network.get_absolute_url()).status_code == 200


def test_the_admin_index_has_one_accounts_section(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert page.count(">Accounts<") + page.count(">Accounts and organisations<") == 1
    assert "Sign-in email addresses" in page
