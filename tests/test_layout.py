"""The layout every page shares: the header's links for each kind of person, the current one
marked."""

import re

from django.urls import reverse

from loti_portal.context_processors import navigation

LINK = re.compile(
    r'<li class="govuk-service-navigation__item( govuk-service-navigation__item--active)?">\s*'
    r'<a class="govuk-service-navigation__link" href="([^"]+)"( aria-current="page")?>([^<]+)</a>\s*</li>'
)


def _header_links(html: str) -> list[tuple[str, str, bool]]:
    """(label, address, marked current) of each link in the header, in order."""
    header = html[html.index('id="navigation"') : html.index("</ul>", html.index('id="navigation"'))]
    links = []
    for active, href, current, label in LINK.findall(header):
        assert bool(active) == bool(current), f"{label}: marked for sight and screen readers alike"
        links.append((label, href, bool(current)))
    return links


def test_someone_signed_out_is_offered_the_sections_and_signing_in(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert _header_links(html) == [
        ("Home", "/", False),
        ("Networks", reverse("networks:network-list"), False),
        ("Events", reverse("events:event-list"), False),
        ("Sign in", reverse("account_login"), True),
    ]


def test_a_member_has_their_account_and_signing_out_and_the_section_they_are_in(client, member):
    client.force_login(member)
    html = client.get(reverse("events:my-events")).content.decode()
    assert _header_links(html) == [
        ("Home", "/", False),
        ("Networks", reverse("networks:network-list"), False),
        ("Events", reverse("events:event-list"), True),  # "Your events" is in the events section
        ("Your account", reverse("accounts:profile-detail"), False),
        ("Sign out", reverse("account_logout"), False),
    ]
    assert ("Your account", reverse("accounts:profile-detail"), True) in _header_links(
        client.get(reverse("accounts:profile-detail")).content.decode()
    )


def test_staff_also_have_engagement_and_admin(client, staff):
    client.force_login(staff)
    html = client.get(reverse("engagement:dashboard")).content.decode()
    assert [(label, current) for label, _, current in _header_links(html)] == [
        ("Home", False),
        ("Networks", False),
        ("Events", False),
        ("Your account", False),
        ("Engagement", True),
        ("Staff admin", False),
        ("Sign out", False),
    ]


def test_the_home_page_is_current_only_on_itself(client, member):
    client.force_login(member)
    links = _header_links(client.get(reverse("home")).content.decode())
    assert [label for label, _, current in links if current] == ["Home"]


def test_a_page_drawn_without_a_request_has_the_signed_out_links():
    links = _header_links(f'<ul id="navigation">{navigation()}</ul>')
    assert [label for label, _, _ in links] == ["Home", "Networks", "Events", "Sign in"]
    assert not any(current for _, _, current in links)
