"""Calendar files: invitations in emails, updates and cancellations, "add to calendar" and feeds.
Every file is parsed with the icalendar library."""

from datetime import datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events.calendar import event_uid
from events.formatting import LONDON
from events.joining import join_address
from events.models import CalendarFeed, Event, Registration
from events.services import (
    calendar_feed_regenerate,
    event_cancel,
    event_save,
    registration_cancel,
    registration_create,
)
from networks.models import Membership
from outbox.models import Email
from tests.factories import EventFactory, RegistrationFactory, UserFactory

from .conftest import calendar_attachment, only_event


def register(event, user):
    return registration_create(event=event, user=user, answers={}, acting_user=user)


def parse(response) -> icalendar.Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_confirmation_invitation_carries_the_rfc_5545_fields(event, member, committed, mailoutbox):
    with committed():
        register(event, member)
    calendar, _ = calendar_attachment(mailoutbox[0])
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["METHOD"] == "REQUEST"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    vevent = only_event(calendar)
    assert vevent["UID"] == event_uid(event) == f"event-{event.pk}@127.0.0.1"
    assert vevent["DTSTAMP"].dt.tzinfo is not None
    assert vevent["SEQUENCE"] == 0
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent["DTSTART"].dt == event.start
    assert vevent["DTEND"].dt == event.end
    assert vevent["SUMMARY"] == event.title
    assert vevent["STATUS"] == "CONFIRMED"
    assert str(vevent["ORGANIZER"]) == "mailto:portal@loti.example"
    assert str(vevent["ATTENDEE"]) == f"mailto:{member.email}"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    # The person's own joining address, never the meeting link itself.
    personal = join_address(Registration.objects.get(event=event, user=member))
    assert personal in vevent["LOCATION"].replace("\r\n ", "")
    assert personal in vevent["DESCRIPTION"]
    assert event.online_url not in vevent["LOCATION"] + vevent["DESCRIPTION"]


@pytest.mark.parametrize(
    ("local", "offset_hours"),
    [
        (datetime(2027, 7, 9, 10, 0), 1),  # British Summer Time
        (datetime(2027, 12, 10, 10, 0), 0),  # Greenwich Mean Time
        (datetime(2027, 3, 28, 9, 0), 1),  # the morning the clocks go forward
        (datetime(2027, 10, 31, 9, 0), 0),  # the morning the clocks go back
    ],
)
def test_times_stay_london_times_across_bst_and_gmt(member, committed, mailoutbox, local, offset_hours):
    start = local.replace(tzinfo=LONDON)
    event = EventFactory(start=start, end=start + timedelta(hours=2))
    with committed():
        register(event, member)
    calendar, _ = calendar_attachment(mailoutbox[0])
    vevent = only_event(calendar)
    assert vevent["DTSTART"].to_ical() == local.strftime("%Y%m%dT%H%M%S").encode()
    # The VTIMEZONE we wrote gives the same offset as the tz database on that day.
    written_zone = calendar.walk("VTIMEZONE")[0].to_tz()
    assert local.replace(tzinfo=written_zone).utcoffset() == timedelta(hours=offset_hours)


def test_changing_a_published_events_time_sends_every_registrant_an_update(
    small_event, member, staff, committed, mailoutbox
):
    register(small_event, member)
    register(small_event, UserFactory(email="second@camden.gov.uk"))
    register(small_event, UserFactory(email="waiting@camden.gov.uk"))
    cancelled = register(small_event, UserFactory(email="gone@camden.gov.uk"))
    Registration.objects.filter(pk=cancelled.pk).update(status="cancelled", waitlist_position=None)
    mailoutbox.clear()

    small_event.start += timedelta(days=1)
    small_event.end += timedelta(days=1)
    with committed():
        event_save(event=small_event, acting_user=staff)

    small_event.refresh_from_db()
    assert small_event.sequence == 1
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {member.email, "second@camden.gov.uk", "waiting@camden.gov.uk"}
    update, _ = calendar_attachment(by_recipient[member.email])
    vevent = only_event(update)
    assert update["METHOD"] == "REQUEST"
    assert vevent["UID"] == event_uid(small_event)
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == small_event.start
    waiting = by_recipient["waiting@camden.gov.uk"]
    assert not [a for a in waiting.attachments if a.mimetype.startswith("text/calendar")]
    assert "still number 1 on the waiting list" in waiting.body


def test_a_change_that_is_not_the_time_or_place_sends_nothing(event, member, staff, committed, mailoutbox):
    register(event, member)
    mailoutbox.clear()
    event.summary = "A clearer summary."
    with committed():
        event_save(event=event, acting_user=staff)
    event.refresh_from_db()
    assert event.sequence == 0
    assert mailoutbox == []


def test_changing_a_draft_sends_nothing(member, staff, committed, mailoutbox):
    event = EventFactory(status=Event.Status.DRAFT)
    RegistrationFactory(event=event, user=member)
    event.venue = "Camden Town Hall"
    with committed():
        event_save(event=event, acting_user=staff)
    assert mailoutbox == []


def test_cancelling_an_event_sends_method_cancel(event, member, staff, committed, mailoutbox):
    register(event, member)
    mailoutbox.clear()
    with committed():
        event_cancel(event=event, acting_user=staff)
        event_cancel(event=event, acting_user=staff)  # twice: no second email
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == f"Cancelled: {event.title}"
    calendar, mimetype = calendar_attachment(mailoutbox[0])
    vevent = only_event(calendar)
    assert calendar["METHOD"] == "CANCEL"
    assert "method=CANCEL" in mimetype
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["UID"] == event_uid(event)
    assert vevent["SEQUENCE"] == 1


def test_a_personal_cancellation_then_new_registration_keeps_sequence_rising(
    event, member, committed, mailoutbox
):
    with committed():
        registration = register(event, member)
    with committed():
        registration_cancel(registration=registration, acting_user=member)
    with committed():
        register(event, member)
    sequences = [only_event(calendar_attachment(m)[0])["SEQUENCE"] for m in mailoutbox]
    methods = [calendar_attachment(m)[0]["METHOD"] for m in mailoutbox]
    assert methods == ["REQUEST", "CANCEL", "REQUEST"]
    assert sequences == [0, 1, 2]


def test_add_to_calendar_shows_the_online_link_only_to_people_with_a_place(client, event, member, outsider):
    url = reverse("events:event-ics", args=[event.slug])
    anonymous = only_event(parse(client.get(url)))
    assert event.online_url not in anonymous["DESCRIPTION"]
    assert anonymous["LOCATION"] == "Online"

    client.force_login(outsider)
    assert event.online_url not in only_event(parse(client.get(url)))["DESCRIPTION"]

    registration = RegistrationFactory(event=event, user=member)
    client.force_login(member)
    response = client.get(url)
    calendar = parse(response)
    assert calendar["METHOD"] == "PUBLISH"
    assert join_address(registration) in only_event(calendar)["DESCRIPTION"]
    assert event.online_url not in only_event(calendar)["DESCRIPTION"]
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'


def test_add_to_calendar_is_404_for_an_event_the_person_cannot_see(client, member):
    draft = EventFactory(status=Event.Status.DRAFT)
    client.force_login(member)
    assert client.get(reverse("events:event-ics", args=[draft.slug])).status_code == 404
    assert client.post(reverse("events:event-ics", args=[draft.slug])).status_code == 405


def test_personal_feed_has_my_registrations_and_my_networks_meetings(client, member, network):
    placed = RegistrationFactory(user=member)
    mine = placed.event
    waiting = EventFactory(title="Full course", capacity=0)
    RegistrationFactory(event=waiting, user=member, status="waitlisted", waitlist_position=1)
    gone = EventFactory(title="Cancelled by me")
    RegistrationFactory(event=gone, user=member, status="cancelled")
    Membership.objects.create(user=member, network=network, status="active", joined_at=timezone.now())
    meeting = EventFactory(title="Data Leaders meeting", kind=Event.Kind.NETWORK_MEETING, network=network)
    other_network = type(network).objects.create(name="Data Scientists", slug="data-scientists", summary="x")
    EventFactory(title="Another network's meeting", kind=Event.Kind.NETWORK_MEETING, network=other_network)
    EventFactory(title="Someone else's event")
    feed = calendar_feed_regenerate(user=member)

    calendar = parse(client.get(reverse("events:calendar-feed", args=[feed.token])))
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Your LOTI events"
    by_title = {str(vevent["SUMMARY"]): vevent for vevent in calendar.walk("VEVENT")}
    assert set(by_title) == {mine.title, waiting.title, meeting.title}
    assert by_title[mine.title]["STATUS"] == "CONFIRMED"
    assert join_address(placed) in by_title[mine.title]["DESCRIPTION"]
    assert by_title[waiting.title]["STATUS"] == "TENTATIVE"
    assert "/events/join/" not in by_title[waiting.title]["DESCRIPTION"]
    assert waiting.online_url not in by_title[waiting.title]["DESCRIPTION"]
    feed_text = client.get(reverse("events:calendar-feed", args=[feed.token])).content.decode()
    assert mine.online_url not in feed_text.replace("\r\n ", "")


def test_regenerating_the_feed_address_retires_the_old_one(client, member):
    old = calendar_feed_regenerate(user=member).token
    new = calendar_feed_regenerate(user=member).token
    assert old != new
    assert CalendarFeed.objects.filter(user=member).count() == 1
    assert client.get(reverse("events:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("events:calendar-feed", args=[new])).status_code == 200
    assert client.post(reverse("events:calendar-feed", args=[new])).status_code == 405


def test_network_feed_is_public_without_drafts_invitations_or_links(client, network):
    published = EventFactory(title="Data Leaders meeting", network=network)
    cancelled = EventFactory(title="Moved meeting", network=network, status=Event.Status.CANCELLED)
    EventFactory(title="Draft meeting", network=network, status=Event.Status.DRAFT)
    EventFactory(title="Private dinner", network=network, audience=Event.Audience.INVITATION)
    EventFactory(title="Not this network")

    response = client.get(reverse("events:network-feed", args=[network.slug]))
    calendar = parse(response)
    assert calendar["X-WR-CALNAME"] == "Data Leaders (LOTI)"
    by_uid = {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}
    assert set(by_uid) == {event_uid(published), event_uid(cancelled)}
    assert by_uid[event_uid(cancelled)]["STATUS"] == "CANCELLED"
    assert all(published.online_url not in vevent["DESCRIPTION"] for vevent in by_uid.values())
    assert client.get(reverse("events:network-feed", args=["no-such-network"])).status_code == 404
    assert client.post(reverse("events:network-feed", args=[network.slug])).status_code == 405


def test_personal_feed_leaves_out_an_archived_networks_meetings(client, member, network):
    Membership.objects.create(user=member, network=network, status="active", joined_at=timezone.now())
    EventFactory(title="Data Leaders meeting", kind=Event.Kind.NETWORK_MEETING, network=network)
    feed = calendar_feed_regenerate(user=member)
    url = reverse("events:calendar-feed", args=[feed.token])
    assert [str(vevent["SUMMARY"]) for vevent in parse(client.get(url)).walk("VEVENT")] == [
        "Data Leaders meeting"
    ]
    network.status = network.Status.ARCHIVED
    network.save()
    assert parse(client.get(url)).walk("VEVENT") == []


def test_an_archived_networks_feed_is_gone(client, network):
    EventFactory(title="Data Leaders meeting", network=network)
    url = reverse("events:network-feed", args=[network.slug])
    assert client.get(url).status_code == 200
    network.status = network.Status.ARCHIVED
    network.save()
    assert client.get(url).status_code == 404


def test_notification_rows_record_which_calendar_file_went(event, member):
    register(event, member)
    assert Email.objects.get().data["calendar_method"] == "REQUEST"


def test_calendar_files_of_people_without_a_place_online_carry_no_link(client, member, outsider, staff):
    """Waiting, in the room at a hybrid session, or staff without a place: no joining address
    and never the meeting link."""
    hybrid = EventFactory(mode=Event.Mode.HYBRID, capacity=10, online_capacity=10)
    RegistrationFactory(event=hybrid, user=member, mode=Registration.Mode.IN_PERSON)
    url = reverse("events:event-ics", args=[hybrid.slug])
    for person in (member, outsider, staff):
        client.force_login(person)
        description = str(only_event(parse(client.get(url)))["DESCRIPTION"])
        assert hybrid.online_url not in description
        assert "/events/join/" not in description


def test_a_guests_invitation_carries_their_own_joining_address(client, db):
    from events.guest_links import registration_token

    public = EventFactory(audience=Event.Audience.PUBLIC)
    guest = Registration.objects.create(
        event=public, user=None, guest_name="Priya", guest_email="priya@gmail.com", status="confirmed"
    )
    token = registration_token(registration_id=guest.pk, email="priya@gmail.com")
    response = client.get(reverse("events:guest-registration-ics", args=[public.slug, token]))
    vevent = only_event(parse(response))
    assert join_address(guest) in vevent["DESCRIPTION"]
    assert public.online_url not in vevent["DESCRIPTION"] + vevent["LOCATION"]
