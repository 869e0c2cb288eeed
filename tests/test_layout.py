"""The layout every page shares: the header's links for each kind of person, the current one
marked."""

import re

from django.conf import settings
from django.test import Client
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


def test_a_signed_in_page_without_a_form_of_its_own_makes_no_csrf_token(client, member):
    """The footer's newsletter sign-up is a link for someone signed in (to the newsletter's page,
    which says whether they are subscribed and has the button), so a page with no form of its own
    makes no CSRF token: making one costs a page more than the rest of its footer."""
    client.force_login(member)
    response = client.get(reverse("privacy"))
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html and "<form" not in html
    assert settings.CSRF_COOKIE_NAME not in response.cookies
    footer = html[html.index('<footer class="govuk-footer">') :]
    link = re.search(r'<a href="([^"]+)" role="button"[^>]*>Subscribe to the newsletter</a>', footer)
    assert link and link[1] == reverse("newsletter:newsletter")
    newsletter = client.get(link[1]).content.decode()
    assert f'action="{reverse("newsletter:subscribe-member")}"' in newsletter
    assert "csrfmiddlewaretoken" in newsletter


def test_someone_signed_out_has_the_footers_form_with_its_csrf_token(client, db):
    response = Client(enforce_csrf_checks=True).get(reverse("privacy"))
    footer = response.content.decode().split('<footer class="govuk-footer">')[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', footer)
    assert token and f'action="{reverse("newsletter:subscribe")}"' in footer
    assert response.cookies[settings.CSRF_COOKIE_NAME].value


def test_the_parts_drawn_once_per_process_are_what_the_templates_draw_afresh(client, member, settings):
    """The layout's fixed parts (head, header, phase banner, the signed-in footer) are kept per
    process; with DEBUG on they are drawn afresh on every page. Both give the same page, for
    someone signed out and someone signed in, and a changed contact address shows at once."""
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')

    def page(browser):
        return token.sub("", browser.get(reverse("privacy")).content.decode())

    signed_in = Client()
    signed_in.force_login(member)
    kept = [page(client), page(signed_in)]
    settings.DEBUG = True
    assert [page(client), page(signed_in)] == kept
    settings.DEBUG = False
    before = settings.CONTACT_EMAIL
    settings.CONTACT_EMAIL = "portal-team@loti.example"
    for html, was in zip((page(client), page(signed_in)), kept, strict=True):
        assert html == was.replace(before, "portal-team@loti.example")
