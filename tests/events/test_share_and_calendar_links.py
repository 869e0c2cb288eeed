"""Adding a session to a calendar (Outlook, Google, .ics, a webcal subscription), sharing it,
finding its venue, and why names are hidden in "Who's coming"."""

from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.services import user_update_profile
from events.joining import join_address
from events.models import Invitation
from events.services import calendar_feed_regenerate, registration_create
from tests.factories import EventFactory, NetworkFactory

JOIN = "https://meet.loti.example/secret-room"


class _Page(HTMLParser):
    """The links (text, href), inputs and buttons (attributes) and text of a page."""

    def __init__(self, content: str):
        super().__init__()
        self.links, self.inputs, self.buttons, self.iframes, self.chunks = [], [], [], 0, []
        self._open_links = []
        self.feed(content)
        self.text = " ".join(" ".join(self.chunks).split())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._open_links.append([attrs.get("href"), ""])
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag == "button":
            self.buttons.append(attrs)
        elif tag == "iframe":
            self.iframes += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._open_links:
            href, text = self._open_links.pop()
            self.links.append((" ".join(text.split()), href))

    def handle_data(self, data):
        self.chunks.append(data)
        for link in self._open_links:
            link[1] += data

    def input(self, id_):
        (found,) = [attrs for attrs in self.inputs if attrs.get("id") == id_]
        return found


def _page(client, url) -> _Page:
    response = client.get(url)
    assert response.status_code == 200
    return _Page(response.content.decode())


def _link(page: _Page, text: str) -> str:
    (href,) = [href for label, href in page.links if label.startswith(text)]
    return href


@pytest.fixture
def session(db):
    return EventFactory(
        title="Introduction to Data",
        start=datetime(2027, 7, 6, 9, 0, tzinfo=UTC),  # 10:00 in London (BST)
        end=datetime(2027, 7, 6, 11, 30, tzinfo=UTC),
        venue="LOTI, 59½ Southwark Street, London SE1 0AL",
        online_url=JOIN,
    )


def test_outlook_and_google_links_fill_in_the_event_without_the_joining_link(client, session, outsider):
    client.force_login(outsider)
    tree = _page(client, session.get_absolute_url())
    google = parse_qs(urlsplit(_link(tree, "Google Calendar")).query)
    outlook = parse_qs(urlsplit(_link(tree, "Outlook")).query)
    assert google["text"] == ["Introduction to Data"]
    assert google["dates"] == ["20270706T090000Z/20270706T113000Z"]
    assert outlook["startdt"] == ["2027-07-06T09:00:00Z"] and outlook["enddt"] == ["2027-07-06T11:30:00Z"]
    assert JOIN not in google["details"][0] and JOIN not in outlook["body"][0]
    assert _link(tree, "Apple Calendar") == reverse("events:event-ics", args=[session.slug])


def test_someone_with_a_place_gets_the_joining_link_in_their_calendar(client, session, member):
    registration = registration_create(event=session, user=member, answers={}, acting_user=member)
    client.force_login(member)
    tree = _page(client, session.get_absolute_url())
    google = parse_qs(urlsplit(_link(tree, "Google Calendar")).query)
    outlook = parse_qs(urlsplit(_link(tree, "Outlook")).query)
    # Their own joining address, which records that they came; never the meeting link itself.
    assert join_address(registration) in google["details"][0]
    assert join_address(registration) in outlook["body"][0]
    assert JOIN not in google["details"][0] and JOIN not in outlook["body"][0]


def test_personal_feed_offers_a_webcal_subscription_and_a_copyable_address(client, member, settings):
    feed = calendar_feed_regenerate(user=member)
    client.force_login(member)
    tree = _page(client, reverse("events:my-events"))
    https_url = settings.SITE_URL + reverse("events:calendar-feed", args=[feed.token])
    assert _link(tree, "Subscribe in your calendar app") == "webcal://" + https_url.split("://")[1]
    assert tree.input("calendar-feed-url")["value"] == https_url
    assert any(button.get("data-copy-target") == "calendar-feed-url" for button in tree.buttons)


def test_network_calendar_is_offered_as_a_webcal_subscription(client, db, settings):
    network = NetworkFactory(name="Data Scientists")
    tree = _page(client, network.get_absolute_url())
    path = reverse("events:network-feed", args=[network.slug])
    assert _link(tree, "Subscribe to the Data Scientists calendar") == (
        "webcal://" + (settings.SITE_URL + path).split("://")[1]
    )


def test_event_page_has_a_share_link_and_a_map_search_for_the_venue(client, session, member, settings):
    client.force_login(member)
    tree = _page(client, session.get_absolute_url())
    assert tree.input("share-link")["value"] == settings.SITE_URL + session.get_absolute_url()
    map_url = urlsplit(_link(tree, "Find it on a map"))
    assert map_url.netloc == "www.openstreetmap.org"
    assert parse_qs(map_url.query)["query"] == [session.venue]
    assert tree.iframes == 0  # no embedded third-party map


def test_invitation_only_events_are_not_offered_for_sharing(client, member):
    event = EventFactory(audience="invitation")
    Invitation.objects.create(event=event, email=member.email)
    registration_create(event=event, user=member, answers={}, acting_user=member)
    client.force_login(member)
    tree = _page(client, event.get_absolute_url())
    assert not [attrs for attrs in tree.inputs if attrs.get("id") == "share-link"]


def test_whos_coming_explains_hidden_names_and_how_to_show_yours(client, session, member, committed):
    registration_create(event=session, user=member, answers={}, acting_user=member)
    client.force_login(member)
    text = _page(client, session.get_absolute_url()).text
    assert "A name is shown only if that person chose to show it" in text
    assert "Your name is hidden." in text
    assert "Show your name in your profile" in text

    with committed():
        user_update_profile(
            user=member, full_name=member.full_name, job_title=member.job_title, show_name_to_attendees=True
        )
    text = _page(client, session.get_absolute_url()).text
    assert "Your name is shown." in text
    assert "Hide your name in your profile" in text
