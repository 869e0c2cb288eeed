"""The parts of a person's own pages drawn straight from their rows: the past events on "Your
events" (its upcoming cards are events.cards.my_upcoming_cards) and the lists of the signed-in
home page. One format string per item, values escaped once, as the templates' loops drew them
(the same escaping as autoescape); tests/events/test_my_events_kept.py and tests/test_home.py
check the markup."""

from collections.abc import Callable, Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from loti_portal.utils import address_by_slug

from .cards import STATUS_LABELS, registration_tag_html
from .formatting import format_date, format_when
from .models import Event, Registration

PAST_ROW = (
    '\n        <tr class="govuk-table__row">\n'
    # The date under the title rather than a column of its own: three columns do not fit 320 px.
    "          \n"
    '          <td class="govuk-table__cell"><a class="govuk-link" href="{url}">{title}</a><br>'
    '<span class="govuk-body-s govuk-!-margin-bottom-0">{date}</span>{after_title}</td>\n'
    '          <td class="govuk-table__cell">{attendance}</td>\n'
    "        </tr>\n        "
)


def attendance_text(registration: Registration) -> str:
    """ "Event cancelled", "Had a place", or the registration's status (attended, did not attend)."""
    if registration.event.status == Event.Status.CANCELLED:
        return "Event cancelled"
    if registration.status == Registration.Status.CONFIRMED:
        return "Had a place"
    return STATUS_LABELS[registration.status]


def my_past_rows(
    registrations: Iterable[Registration], *, after_title: Callable[[Registration], str]
) -> SafeString:
    """The table rows of the person's past events (from my_events_for_user): the event, its
    date, `after_title(registration)` (markup, such as a certificate to download) and how they
    attended."""
    url_for = address_by_slug("events:event-detail")
    rows = []
    for registration in registrations:
        event = registration.event
        rows.append(
            PAST_ROW.format(
                url=url_for(event.slug),
                title=escape(event.title),
                date=escape(format_date(event.start)),
                after_title=after_title(registration),
                attendance=escape(attendance_text(registration)),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped; after_title is markup


# The signed-in home page's lists (events.selectors_personal.home_summary_for_user), each item
# as the template's loop drew it.
HOME_INVITATION = (
    '\n      <li>You are invited to <a class="govuk-link" href="{url}">{title}</a> on {when}.'
    " Register to keep a place.</li>\n      "
)
HOME_APPLICATION = (
    '\n      <li>Your application to join <a class="govuk-link" href="{url}">{name}</a> is waiting for'
    " a decision by the networks team{sent}. We will email you.</li>\n      "
)
HOME_SESSION = (
    '\n      <li class="app-card">\n'
    '        <h3 class="app-card__title"><a class="govuk-link" href="{url}">{title}</a></h3>\n'
    '        <p class="govuk-body govuk-!-margin-bottom-2">{when}</p>\n'
    '        <p class="govuk-body">{tag}\n{waiting}</p>\n'
    "      </li>\n      "
)
HOME_MEETING = (
    '\n      <li class="app-card">\n'
    '        <h3 class="app-card__title"><a class="govuk-link" href="{url}">{title}</a></h3>\n'
    '        <p class="govuk-body">{when}. {network}</p>\n'
    "      </li>\n      "
)


def home_invitations(events) -> SafeString:
    """ "You are invited to …" for each invitation-only session waiting for the person."""
    url_for = address_by_slug("events:event-detail")
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            HOME_INVITATION.format(
                url=url_for(event.slug),
                title=escape(event.title),
                when=escape(format_when(event.start, event.end)),
            )
            for event in events
        )
    )


def home_applications(applications) -> SafeString:
    """ "Your application to join …" for each application waiting for a decision."""
    network_url = address_by_slug("networks:network-detail")
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            HOME_APPLICATION.format(
                url=network_url(application.network_slug),
                name=escape(application.network_name),
                sent=f" (sent {escape(format_date(application.applied_at))})"
                if application.applied_at
                else "",
            )
            for application in applications
        )
    )


def home_session_cards(registrations) -> SafeString:
    """The person's next sessions: the event, when, their registration's tag and, if they wait,
    their place in the queue."""
    url_for = address_by_slug("events:event-detail")
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            HOME_SESSION.format(
                url=url_for(registration.event.slug),
                title=escape(registration.event.title),
                when=escape(format_when(registration.event.start, registration.event.end)),
                tag=registration_tag_html(registration.status),
                waiting=f" Number {registration.waitlist_rank} on the waiting list"
                if registration.status == Registration.Status.WAITLISTED
                else "",
            )
            for registration in registrations
        )
    )


def home_meeting_cards(events) -> SafeString:
    """The next meetings of the person's networks: the meeting, when, and its network."""
    url_for = address_by_slug("events:event-detail")
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            HOME_MEETING.format(
                url=url_for(event.slug),
                title=escape(event.title),
                when=escape(format_when(event.start, event.end)),
                network=escape(event.network_name),
            )
            for event in events
        )
    )
