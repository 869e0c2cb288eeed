"""A network's meeting cadence: plain fields ⇄ an RFC 5545 RRULE, in words, and its occurrences.

Times are wall-clock times in Europe/London: "10:00 on the second Tuesday" stays 10:00 across the
BST/GMT changes because each occurrence is built from its local date and time, then given the
London zone for that date.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, rrule

from loti_portal.utils import LONDON

FREQUENCY_INTERVALS = {"monthly": 1, "bimonthly": 2, "quarterly": 3}
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WEEKDAYS = [MO, TU, WE, TH, FR, SA, SU]
WEEK_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_PERIOD_WORDS = {1: "every month", 2: "every other month", 3: "every three months"}


@dataclass(frozen=True)
class Cadence:
    frequency: str  # "monthly", "bimonthly" or "quarterly"
    weekday: int  # 0 = Monday … 6 = Sunday
    week: int  # 1–4, or -1 for the last
    start_time: time
    duration: timedelta
    starts_on: date  # the first month it can meet in; quarterly cadences count from it

    @property
    def interval(self) -> int:
        return FREQUENCY_INTERVALS[self.frequency]


def cadence_to_rrule(cadence: Cadence) -> str:
    """The RFC 5545 RRULE for a cadence, for example `FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU`."""
    return f"FREQ=MONTHLY;INTERVAL={cadence.interval};BYDAY={cadence.week}{WEEKDAY_CODES[cadence.weekday]}"


def cadence_describe(cadence: Cadence) -> str:
    """In words: "Meets on the second Tuesday of every month, 10:00–11:30"."""
    end = (datetime.combine(date(2000, 1, 1), cadence.start_time) + cadence.duration).time()
    return (
        f"Meets on the {WEEK_NAMES[cadence.week]} {WEEKDAY_NAMES[cadence.weekday]} of "
        f"{_PERIOD_WORDS[cadence.interval]}, {cadence.start_time:%H:%M}–{end:%H:%M}"
    )


def cadence_occurrences(
    cadence: Cadence, *, after: datetime, until: datetime
) -> list[tuple[date, datetime, datetime]]:
    """Meetings that start after `after` and no later than `until` (aware datetimes).

    Returns (occurrence date, start, end) with start and end aware, in London time.
    """
    first = datetime.combine(cadence.starts_on.replace(day=1), cadence.start_time)
    rule = rrule(
        MONTHLY,
        interval=cadence.interval,
        byweekday=_WEEKDAYS[cadence.weekday](cadence.week),
        dtstart=first,
    )
    # dateutil works on naive local wall-clock times; widen by a day each side, then filter aware.
    naive_after = after.astimezone(LONDON).replace(tzinfo=None) - timedelta(days=1)
    naive_until = until.astimezone(LONDON).replace(tzinfo=None) + timedelta(days=1)
    occurrences = []
    for local in rule.between(naive_after, naive_until, inc=True):
        if local.date() < cadence.starts_on:
            continue
        start = local.replace(tzinfo=LONDON)
        if after < start <= until:
            occurrences.append((local.date(), start, start + cadence.duration))
    return occurrences
