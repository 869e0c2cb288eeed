"""The networks list's cards, and the words and tags the networks pages share, drawn straight from
the values.

Through the template engine each card of the list costs some hundreds of function calls (each
variable looked up, filtered and escaped through several layers, each include loaded and
rendered), most of the list's work once its one query is cheap. Here each card is one format
string filled with values escaped once (html.escape, as the template's autoescape does). The
markup is the GOV.UK summary card's, kept in one place; the membership tag and the words for a
join policy are the ones every networks page draws (networks/templatetags/network_tags.py gives
them to the templates).
"""

from html import escape

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import date_format, time_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from .models import Network

# A membership's status as a tag: (colour, words). Any other status has no tag.
STATUS_TAGS = {
    "active": ("green", "Member"),
    "pending": ("yellow", "Application pending"),
    "declined": ("red", "Application declined"),
    "left": ("grey", "Left"),
    "removed": ("grey", "Removed"),
}
JOIN_POLICY_WORDS = {
    Network.JoinPolicy.OPEN: "Open: join straight away",
    Network.JoinPolicy.APPROVAL: "Apply: the networks team reviews applications",
}
INVITATION_ONLY_WORDS = "By invitation only"


def membership_status_tag(status: str | None) -> SafeString:
    """The GOV.UK tag for a membership status ("Member", "Application pending"...), or nothing."""
    if status not in STATUS_TAGS:
        return mark_safe("")
    colour, words = STATUS_TAGS[status]
    return mark_safe(f'<strong class="govuk-tag govuk-tag--{colour}">{words}</strong>')  # noqa: S308 - constants


def join_policy_words(join_policy: str) -> str:
    """How a network is joined, in words: "Open: join straight away"..."""
    return JOIN_POLICY_WORDS.get(join_policy, INVITATION_ONLY_WORDS)


def meeting_time_words(start) -> str:
    """ "Tuesday 9 March 2027 at 10:00", in London time (the pages' `date:"l j F Y"` and `time:"H:i"`)."""
    start = localtime(start)
    return f"{date_format(start, 'l j F Y')} at {time_format(start, 'H:i')}"


CARD = (
    '\n<div class="govuk-summary-card">\n'
    '  <div class="govuk-summary-card__title-wrapper">\n'
    '    <h2 class="govuk-summary-card__title"><a class="govuk-link" href="{url}">{name}</a></h2>\n'
    "    {actions}\n"
    "  </div>\n"
    '  <div class="govuk-summary-card__content">\n'
    '    <p class="govuk-body">{summary}</p>\n'
    '    <dl class="govuk-summary-list">\n'
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">Who it is for</dt>\n'
    '        <dd class="govuk-summary-list__value">{audience}</dd>\n'
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">How often it meets</dt>\n'
    '        <dd class="govuk-summary-list__value">{cadence}</dd>\n'
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">Next meeting</dt>\n'
    '        <dd class="govuk-summary-list__value">{next_meeting}</dd>\n'
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">Members</dt>\n'
    '        <dd class="govuk-summary-list__value">{members}</dd>\n'
    "      </div>\n"
    '      <div class="govuk-summary-list__row">\n'
    '        <dt class="govuk-summary-list__key">How to join</dt>\n'
    '        <dd class="govuk-summary-list__value">{join_policy}\n</dd>\n'
    "      </div>\n"
    "    </dl>\n"
    "  </div>\n"
    "</div>\n"
)
ACTIONS = (
    '\n    <ul class="govuk-summary-card__actions">\n'
    '      <li class="govuk-summary-card__action">{tag}\n</li>\n'
    "    </ul>\n    "
)


def network_cards(networks) -> SafeString:
    """The cards of the networks list (networks from selectors.network_list_for_user): name,
    the person's membership tag, summary, who it is for, cadence, next meeting, members and how
    to join."""
    cards = []
    for network in networks:
        start = network.next_meeting_start
        cards.append(
            CARD.format(
                url=escape(network.url),
                name=escape(network.name),
                actions=ACTIONS.format(tag=membership_status_tag(network.my_status))
                if network.my_status
                else "",
                summary=escape(network.summary),
                audience=escape(network.audience or network.summary),
                cadence=escape(network.cadence_in_words),
                next_meeting=escape(meeting_time_words(start)) if start else "None scheduled yet",
                members=escape(intcomma(network.member_count)),
                join_policy=escape(join_policy_words(network.join_policy)),
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - every value above is escaped


# One item of a network page's lists, as the template's loops drew them: each item on its own
# line, indented to sit in its <ul class="govuk-list">.
ITEM = "\n      <li>{item}</li>\n      "
UPCOMING = '<a class="govuk-link" href="{url}">{title}</a>: {when}'


def upcoming_items(events) -> SafeString:
    """The items of "Upcoming meetings" or "Sessions for this network" (selectors.UpcomingEvent):
    the title linked to its page, and when it starts."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            ITEM.format(
                item=UPCOMING.format(
                    url=escape(event.url),
                    title=escape(event.title),
                    when=escape(meeting_time_words(event.start)),
                )
            )
            for event in events
        )
    )


def lead_items(leads) -> SafeString:
    """The items of "Leads" (selectors.Lead): "Name, Organisation (co-chair)"."""
    items = []
    for lead in leads:
        who = f"{lead.name}, {lead.organisation}" if lead.organisation else lead.name
        items.append(ITEM.format(item=f"{escape(who)} ({escape(lead.role)})"))
    return mark_safe("".join(items))  # noqa: S308 - every value is escaped
