"""Dates and times as people in London read them: "Friday 11 December 2026, 10:00am to 12:00pm"."""

from datetime import datetime

from django.utils import timezone

from loti_portal.utils import LONDON


def in_london(moment: datetime) -> datetime:
    return timezone.localtime(moment, LONDON)


def format_date(moment: datetime) -> str:
    local = in_london(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


def format_time(moment: datetime) -> str:
    local = in_london(moment)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def format_datetime(moment: datetime) -> str:
    return f"{format_date(moment)}, {format_time(moment)}"


def format_when(start: datetime, end: datetime) -> str:
    """The span of an event; the date is said once when it starts and ends on the same day."""
    if in_london(start).date() == in_london(end).date():
        return f"{format_datetime(start)} to {format_time(end)}"
    return f"{format_datetime(start)} to {format_datetime(end)}"
