"""Pages that read what everyone sees from the cache show a change as soon as it is made."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from events.services import event_save, registration_cancel, registration_create
from loti_portal.public_cache import public_changed, public_get
from tests.factories import EventFactory, UserFactory


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
