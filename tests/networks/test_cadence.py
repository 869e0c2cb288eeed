from datetime import date, datetime, time, timedelta

import pytest
from icalendar import vRecur

from networks.cadence import (
    LONDON,
    Cadence,
    cadence_describe,
    cadence_occurrences,
    cadence_to_rrule,
)


def monthly_second_tuesday(**overrides):
    fields = {
        "frequency": "monthly",
        "weekday": 1,
        "week": 2,
        "start_time": time(10, 0),
        "duration": timedelta(minutes=90),
        "starts_on": date(2026, 1, 1),
    }
    fields.update(overrides)
    return Cadence(**fields)


@pytest.mark.parametrize(
    ("cadence", "words"),
    [
        (monthly_second_tuesday(), "Meets on the second Tuesday of every month, 10:00–11:30"),
        (
            monthly_second_tuesday(frequency="quarterly", weekday=2, week=1, duration=timedelta(hours=2)),
            "Meets on the first Wednesday of every three months, 10:00–12:00",
        ),
        (
            monthly_second_tuesday(frequency="bimonthly", weekday=3, week=-1, start_time=time(14, 30)),
            "Meets on the last Thursday of every other month, 14:30–16:00",
        ),
    ],
)
def test_cadence_in_words(cadence, words):
    assert cadence_describe(cadence) == words


def test_rrule_is_valid_icalendar():
    cadence = monthly_second_tuesday(frequency="quarterly", week=-1, weekday=4)
    rule = cadence_to_rrule(cadence)
    assert rule == "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR"
    assert vRecur.from_ical(rule)["BYDAY"] == ["-1FR"]


def test_monthly_second_tuesday_dates():
    after = datetime(2026, 1, 1, tzinfo=LONDON)
    until = datetime(2026, 6, 30, tzinfo=LONDON)
    dates = [d for d, _, _ in cadence_occurrences(monthly_second_tuesday(), after=after, until=until)]
    assert dates == [
        date(2026, 1, 13),
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 14),
        date(2026, 5, 12),
        date(2026, 6, 9),
    ]


def test_ten_o_clock_stays_ten_across_bst_and_gmt():
    after = datetime(2026, 1, 1, tzinfo=LONDON)
    until = datetime(2026, 12, 31, tzinfo=LONDON)
    occurrences = cadence_occurrences(monthly_second_tuesday(), after=after, until=until)
    assert {start.astimezone(LONDON).time() for _, start, _ in occurrences} == {time(10, 0)}
    offsets = {start.date(): start.utcoffset() for _, start, _ in occurrences}
    assert offsets[date(2026, 3, 10)] == timedelta(0)  # GMT
    assert offsets[date(2026, 4, 14)] == timedelta(hours=1)  # BST from 29 March
    assert offsets[date(2026, 10, 13)] == timedelta(hours=1)
    assert offsets[date(2026, 11, 10)] == timedelta(0)  # GMT again from 25 October
    assert all(end - start == timedelta(minutes=90) for _, start, end in occurrences)


def test_quarterly_counts_from_its_first_month():
    cadence = monthly_second_tuesday(frequency="quarterly", weekday=2, week=1, starts_on=date(2026, 2, 1))
    after = datetime(2026, 1, 1, tzinfo=LONDON)
    until = datetime(2027, 1, 31, tzinfo=LONDON)
    dates = [d for d, _, _ in cadence_occurrences(cadence, after=after, until=until)]
    assert dates == [date(2026, 2, 4), date(2026, 5, 6), date(2026, 8, 5), date(2026, 11, 4)]


def test_last_weekday_and_window_edges():
    cadence = monthly_second_tuesday(week=-1, weekday=3)  # last Thursday
    first = datetime(2026, 1, 29, 10, 0, tzinfo=LONDON)
    # A meeting exactly at `after` is excluded, one exactly at `until` is included.
    got = cadence_occurrences(cadence, after=first, until=datetime(2026, 2, 26, 10, 0, tzinfo=LONDON))
    assert [d for d, _, _ in got] == [date(2026, 2, 26)]


def test_nothing_before_starts_on():
    cadence = monthly_second_tuesday(starts_on=date(2026, 3, 15))
    got = cadence_occurrences(
        cadence, after=datetime(2026, 1, 1, tzinfo=LONDON), until=datetime(2026, 4, 30, tzinfo=LONDON)
    )
    assert [d for d, _, _ in got] == [date(2026, 4, 14)]
