"""Dates and times as people in London read them: "Friday 11 December 2026, 10:00am to 12:00pm"."""

from datetime import datetime

from django.utils import timezone

from loti_portal.utils import LONDON


def in_london(moment: datetime) -> datetime:
    return timezone.localtime(moment, LONDON)


def format_date(moment: datetime) -> str:
    return _date(in_london(moment))


def format_time(moment: datetime) -> str:
    return _time(in_london(moment))


def format_datetime(moment: datetime) -> str:
    local = in_london(moment)
    return f"{_date(local)}, {_time(local)}"


def format_when(start: datetime, end: datetime) -> str:
    """The span of an event; the date is said once when it starts and ends on the same day."""
    # Each moment put in London time once: a list page says when for every card.
    start, end = in_london(start), in_london(end)
    if start.date() == end.date():
        return f"{_date(start)}, {_time(start)} to {_time(end)}"
    return f"{_date(start)}, {_time(start)} to {_date(end)}, {_time(end)}"


def _date(local: datetime) -> str:
    return f"{local:%A} {local.day} {local:%B %Y}"


def _time(local: datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
