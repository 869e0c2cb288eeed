"""The rows of a person's own pages drawn straight from their registrations: the past events on
"Your events" (the upcoming cards are events.cards.my_upcoming_cards). One format string per
row, values escaped once, as the template drew them; tests/events/test_my_events_html.py
compares the markup."""

from collections.abc import Callable, Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .cards import STATUS_LABELS, detail_url_maker
from .formatting import format_date
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
    url_for = detail_url_maker()
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
