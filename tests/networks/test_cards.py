"""The networks pages' repeated parts, drawn from format strings (networks.cards), are the markup
the templates' loops drew: the loops are kept here, as they were, to compare with for every
membership status, join policy and missing value, and for text that needs escaping."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from networks.cards import lead_items, membership_status_tag, network_cards, upcoming_items
from networks.selectors import Lead, UpcomingEvent
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

STATUS_TAG = (
    '{% if status == "active" %}<strong class="govuk-tag govuk-tag--green">Member</strong>'
    '{% elif status == "pending" %}<strong class="govuk-tag govuk-tag--yellow">Application pending</strong>'
    '{% elif status == "declined" %}<strong class="govuk-tag govuk-tag--red">Application declined</strong>'
    '{% elif status == "left" %}<strong class="govuk-tag govuk-tag--grey">Left</strong>'
    '{% elif status == "removed" %}<strong class="govuk-tag govuk-tag--grey">Removed</strong>{% endif %}\n'
)
JOIN_POLICY = (
    '{% if network.join_policy == "open" %}Open: join straight away'
    '{% elif network.join_policy == "approval" %}'
    "Apply: the networks team reviews applications{% else %}By invitation only{% endif %}\n"
)
LIST_LOOP = (
    "{% load humanize %}{% for network in networks %}\n"
    '<div class="govuk-summary-card">\n'
    '  <div class="govuk-summary-card__title-wrapper">\n'
    '    <h2 class="govuk-summary-card__title">'
    '<a class="govuk-link" href="{{ network.url }}">{{ network.name }}</a></h2>\n'
    "    {% if network.my_status %}\n"
    '    <ul class="govuk-summary-card__actions">\n'
    '      <li class="govuk-summary-card__action">{% with status=network.my_status %}'
    + STATUS_TAG
    + "{% endwith %}</li>\n"
    "    </ul>\n"
    "    {% endif %}\n"
    "  </div>\n"
    '  <div class="govuk-summary-card__content">\n'
    '    <p class="govuk-body">{{ network.summary }}</p>\n'
    '    <dl class="govuk-summary-list">\n'
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">Who it is for</dt>\n'
    '        <dd class="govuk-summary-list__value">{{ network.audience|default:network.summary }}</dd>\n'
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">How often it meets</dt>\n'
    '        <dd class="govuk-summary-list__value">{{ network.cadence_in_words }}</dd>\n'
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">Next meeting</dt>\n'
    '        <dd class="govuk-summary-list__value">{% if network.next_meeting_start %}'
    '{{ network.next_meeting_start|date:"l j F Y" }} at {{ network.next_meeting_start|time:"H:i" }}'
    "{% else %}None scheduled yet{% endif %}</dd>\n"
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">Members</dt>\n'
    '        <dd class="govuk-summary-list__value">{{ network.member_count|intcomma }}</dd>\n'
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">How to join</dt>\n'
    '        <dd class="govuk-summary-list__value">' + JOIN_POLICY + "</dd>\n"
    "      </div>\n"
    "    </dl>\n"
    "  </div>\n"
    "</div>\n"
    "{% endfor %}"
)
UPCOMING_LOOP = (
    "{% for meeting in meetings %}\n"
    '      <li><a class="govuk-link" href="{{ meeting.url }}">{{ meeting.title }}</a>: '
    '{{ meeting.start|date:"l j F Y" }} at {{ meeting.start|time:"H:i" }}</li>\n'
    "      {% endfor %}"
)
LEADS_LOOP = (
    "{% for lead in leads %}\n"
    "      <li>{{ lead.name }}{% if lead.organisation %}, {{ lead.organisation }}{% endif %}"
    " ({{ lead.role }})</li>\n"
    "      {% endfor %}"
)


def drawn(template: str, **context) -> str:
    return Template(template).render(Context(context))


def test_network_cards_are_the_summary_cards_the_template_drew():
    plain = NetworkFactory(name="Data <Leaders> & co", summary='"Quoted" summary', audience="")
    weekly = NetworkFactory(
        name="Data Scientists",
        join_policy="approval",
        cadence_week=2,
        cadence_weekday=1,
        cadence_start_time=datetime(2027, 1, 1, 10).time(),
        cadence_starts_on=datetime(2027, 1, 1).date(),
    )
    invitation = NetworkFactory(name="Women's Digital Leaders", join_policy="invitation")
    networks = []
    # Every membership status (and none, and one no tag is drawn for), a meeting in summer time
    # and in winter time, and none.
    for number, status in enumerate((None, "active", "pending", "declined", "left", "removed", "unknown")):
        for network in (plain, weekly, invitation):
            networks.append(
                SimpleNamespace(
                    url=f"/networks/{network.slug}/",
                    name=network.name,
                    summary=network.summary,
                    audience=network.audience,
                    cadence_in_words=network.cadence_in_words,
                    join_policy=network.join_policy,
                    my_status=status,
                    member_count=1234 * number,
                    next_meeting_start=(
                        None,
                        datetime(2027, 7, 13, 9, 0, tzinfo=UTC),
                        datetime(2027, 1, 12, 23, 30, tzinfo=UTC),
                    )[number % 3],
                )
            )
    assert str(network_cards(networks)) == drawn(LIST_LOOP, networks=networks)
    assert "Data &lt;Leaders&gt; &amp; co" in network_cards(networks)
    assert "Application declined" in network_cards(networks)


def test_status_tags_are_the_ones_the_include_drew():
    for status in ("active", "pending", "declined", "left", "removed", "other", None, ""):
        assert f"{membership_status_tag(status)}\n" == drawn(STATUS_TAG, status=status)


def test_upcoming_items_and_leads_are_the_items_the_loops_drew():
    events = [
        UpcomingEvent(
            title='Demo <day> & "more"', url="/events/demo/", start=datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
        ),
        UpcomingEvent(
            title="Meeting", url="/events/meeting/", start=datetime(2027, 10, 31, 1, 0, tzinfo=UTC)
        ),
    ]
    assert str(upcoming_items(events)) == drawn(UPCOMING_LOOP, meetings=events)
    leads = [
        Lead(name="Amara <Okafor>", organisation="Camden & Islington", role="lead"),
        Lead(name="Tom Fisher", organisation="", role="co-chair"),
    ]
    assert str(lead_items(leads)) == drawn(LEADS_LOOP, leads=leads)
    assert upcoming_items([]) == lead_items([]) == ""
