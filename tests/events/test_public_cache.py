"""Pages that read what everyone sees from the cache show a change as soon as it is made."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events.models import CalendarFeed
from events.services import event_save, registration_cancel, registration_create
from loti_portal.public_cache import public_changed, public_get
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, RegistrationFactory, UserFactory


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_event_page_counts_a_registration_made_after_it_was_cached(client, member, org, small_event):
    client.force_login(member)
    url = reverse("events:event-detail", args=[small_event.slug])
    assert "2 places left of 2" in page(client.get(url))
    someone = UserFactory(organisation=org)
    registration = registration_create(event=small_event, user=someone, answers={}, acting_user=someone)
    assert "1 place left of 2" in page(client.get(url))
    registration_cancel(registration=registration, acting_user=someone)
    assert "2 places left of 2" in page(client.get(url))


def test_events_list_shows_what_staff_changed_after_it_was_cached(client, member, event):
    client.force_login(member)
    url = reverse("events:event-list")
    assert event.title in page(client.get(url))
    event.title = "Temporary accommodation: what we found"
    event_save(event=event, acting_user=None)
    assert "Temporary accommodation: what we found" in page(client.get(url))


def test_events_list_shows_each_person_their_own_status(client, member, outsider, small_event):
    registration_create(event=small_event, user=member, answers={}, acting_user=member)
    url = reverse("events:event-list")
    client.force_login(member)
    assert "Confirmed" in page(client.get(url))
    client.force_login(outsider)
    assert "Confirmed" not in page(client.get(url))


def test_a_new_event_appears_in_the_list_once_published(client, member, event):
    client.force_login(member)
    url = reverse("events:event-list")
    page(client.get(url))
    start = timezone.now() + timedelta(days=3)
    draft = EventFactory(
        title="Careers day taster", status="draft", start=start, end=start + timedelta(hours=1)
    )
    event_save(event=draft, acting_user=None)
    assert "Careers day taster" not in page(client.get(url))
    draft.status = "published"
    event_save(event=draft, acting_user=None)
    assert "Careers day taster" in page(client.get(url))


def test_public_get_reads_again_after_a_change(db):
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    assert public_get("test:value", read=read) == 1
    assert public_get("test:value", read=read) == 1
    public_changed()
    assert public_get("test:value", read=read) == 2


def test_event_page_shows_each_person_their_own_registration(client, member, outsider, small_event):
    registration_create(event=small_event, user=member, answers={}, acting_user=member)
    url = reverse("events:event-detail", args=[small_event.slug])
    client.force_login(member)
    assert "Cancel your place" in page(client.get(url))
    client.force_login(outsider)
    html = page(client.get(url))
    assert "Cancel your place" not in html
    assert reverse("events:event-register", args=[small_event.slug]) in html
    client.logout()
    html = page(client.get(url))
    assert "Cancel your place" not in html and "Sign in" in html


# --- changes made outside the services (admin forms and inlines, scripts) show at once --------


def test_a_registration_added_outside_the_services_shows_on_the_persons_pages(client, member, event):
    client.force_login(member)
    list_url, page_url = reverse("events:event-list"), reverse("events:event-detail", args=[event.slug])
    assert "Confirmed" not in page(client.get(list_url))
    assert "Cancel your place" not in page(client.get(page_url))
    assert "Digital inclusion discovery findings" not in page(client.get(reverse("events:my-events")))
    RegistrationFactory(event=event, user=member, status="confirmed")  # as an admin inline would
    assert "Confirmed" in page(client.get(list_url))
    assert "Cancel your place" in page(client.get(page_url))
    assert "Digital inclusion discovery findings" in page(client.get(reverse("events:my-events")))


def test_a_membership_changed_outside_the_services_shows_on_the_network_pages(client, member):
    network = NetworkFactory(name="Data Scientists", slug="data-scientists")
    client.force_login(member)
    url = reverse("networks:network-detail", args=[network.slug])
    assert "Leave Data Scientists" not in page(client.get(url))
    membership = MembershipFactory(network=network, user=member, status="active")
    assert "Leave Data Scientists" in page(client.get(url))
    membership.delete()
    assert "Leave Data Scientists" not in page(client.get(url))


def test_an_organisation_changed_in_admin_changes_what_its_people_may_join(client, member, org):
    network = NetworkFactory(
        name="Data Leaders", slug="data-leaders", eligible_organisation_kinds=["borough"]
    )
    client.force_login(member)
    url = reverse("networks:network-detail", args=[network.slug])
    assert "cannot join it" not in page(client.get(url))
    org.kind = "partner"
    org.save()
    assert "so people from Camden cannot join it" in page(client.get(url))


def test_your_events_shows_a_new_calendar_address_at_once(client, member, event):
    client.force_login(member)
    url = reverse("events:my-events")
    assert "Create your calendar address" in page(client.get(url))
    client.post(reverse("events:calendar-feed-regenerate"))
    first = CalendarFeed.objects.get(user=member).token
    assert first in page(client.get(url))
    client.post(reverse("events:calendar-feed-regenerate"))
    second = CalendarFeed.objects.get(user=member).token
    html = page(client.get(url))
    assert second in html and first not in html


def test_your_events_moves_an_event_to_the_past_once_it_has_ended(client, member):
    start = timezone.now() + timedelta(hours=1)
    event = EventFactory(title="Careers day", start=start, end=start + timedelta(hours=1))
    registration_create(event=event, user=member, answers={}, acting_user=member)
    client.force_login(member)
    url = reverse("events:my-events")
    html = page(client.get(url))
    assert "Cancel your place" in html and "You have not been to any events yet." in html
    with time_machine.travel(start + timedelta(hours=2)):
        html = page(client.get(url))  # nothing changed but the time
    assert "Cancel your place" not in html and "Had a place" in html


def test_the_shared_events_list_is_not_changed_by_one_persons_view(client, member, small_event):
    registration_create(event=small_event, user=member, answers={}, acting_user=member)
    client.force_login(member)
    assert "Confirmed" in page(client.get(reverse("events:event-list")))
    _, _, events = public_get("events:list", False, None, "", "", "1", read=lambda: pytest.fail("not cached"))
    assert all(not hasattr(event, "my_status") for event in events)
