"""The benchmark harness's own logic: reading wrk, finding the registration form, planning data."""

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.contention import _registration_form
from bench.dataset import _plan_registrations
from bench.load import combine, parse_wrk
from events.models import Event, Registration

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/benchmark/floor
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.12ms    2.01ms  40.11ms   90.00%
    Req/Sec   563.10     40.22   640.00     70.00%
  Latency Distribution
     50%    6.90ms
     75%    7.80ms
     90%    9.10ms
     99%    1.20s
  5612 requests in 5.01s, 4.10MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   1120.16
Transfer/sec:    838.00KB
"""


def test_wrk_output_is_read_with_units():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == 1120.16
    assert result.p50_ms == 6.9
    assert result.p99_ms == 1200.0
    assert result.requests == 5612
    assert result.seconds == pytest.approx(5.01)
    assert result.bad_responses == 3
    assert result.socket_errors == 3


def test_unexpected_wrk_output_is_an_error():
    with pytest.raises(ValueError, match="unexpected wrk output"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_runs_combine_into_one_overall_rate():
    first = parse_wrk(WRK_OUTPUT)
    second = parse_wrk(WRK_OUTPUT.replace("5612 requests in 5.01s", "1000 requests in 5.01s"))
    combined = combine([first, second])
    assert combined.requests == 6612
    assert combined.requests_per_second == pytest.approx(6612 / 10.02, abs=0.01)
    assert combined.bad_responses == 6


def test_registration_form_is_the_post_form_aimed_at_the_register_url():
    html = """
    <form method="get" action="/events/"><input name="q" value="data"></form>
    <form method="post" action="/events/careers-day/register/">
      <input type="hidden" name="csrfmiddlewaretoken" value="token123">
      <input type="checkbox" name="agree" value="yes" checked>
      <input type="checkbox" name="newsletter" value="yes">
      <select name="role"><option value="analyst">Analyst</option><option value="lead">Lead</option></select>
      <select name="seniority">
        <option value="">Choose</option><option value="head" selected>Head</option>
      </select>
      <button type="submit" name="action" value="register">Register</button>
    </form>"""
    fields = _registration_form(html, "/events/careers-day/", "/events/careers-day/register/")
    assert fields == [
        ("csrfmiddlewaretoken", "token123"),
        ("agree", "yes"),
        ("role", "analyst"),
        ("seniority", "head"),
    ]


def test_a_form_without_action_posts_to_its_own_page():
    html = '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form>'
    assert _registration_form(html, "/events/a/register/", "/events/a/register/") == [
        ("csrfmiddlewaretoken", "t")
    ]
    assert _registration_form(html, "/events/a/", "/events/a/register/") is None


def test_every_leading_slice_of_the_planned_registrations_keeps_the_invariants():
    now = timezone.now()
    events = [
        {
            "id": number,
            "slug": f"event-{number}",
            "start": now + timedelta(days=number - 10),
            "status": Event.Status.PUBLISHED,
            "capacity": capacity,
            "audience": Event.Audience.SIGNED_IN,
        }
        for number, capacity in enumerate(
            [5, 10, None, 3, 20, 8, 1, 50, 12, 4, 7, 30, 2, 6, 9, 11, 15, 40, 25, 5]
        )
    ]
    counts = {event["id"]: 15 + event["id"] * 3 for event in events}
    rows = _plan_registrations(random.Random(1), events, counts, list(range(1, 501)), 1)
    assert len(rows) == sum(counts.values())
    capacities = {event["id"]: event["capacity"] for event in events}
    for size in (20, 137, len(rows)):
        places, waiting, people = defaultdict(int), defaultdict(list), defaultdict(set)
        for row in rows[:size]:
            assert row["user_id"] not in people[row["event_id"]]
            people[row["event_id"]].add(row["user_id"])
            if row["status"] == Registration.Status.WAITLISTED:
                waiting[row["event_id"]].append(row["waitlist_position"])
            elif row["status"] != Registration.Status.CANCELLED:
                places[row["event_id"]] += 1
        for event_id, taken in places.items():
            assert capacities[event_id] is None or taken <= capacities[event_id]
        for positions in waiting.values():
            assert positions == list(range(1, len(positions) + 1))
    assert sum(1 for row in rows if row["user_id"] == 1) >= 1


# --- the engagement dashboard's rows ----------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_is_measured_as_staff_and_reads_only_the_rollups(org):
    from django.urls import reverse

    from bench.dashboard import DASHBOARD, raw_reads, rollup_refresh, staff_user
    from bench.pages import count_queries, page_path
    from tests.factories import EventFactory, RegistrationFactory

    past = EventFactory(
        start=timezone.now() - timedelta(days=3), end=timezone.now() - timedelta(days=3, hours=-1)
    )
    RegistrationFactory(event=past, status=Registration.Status.ATTENDED)
    assert rollup_refresh()["attendance"] == 1
    staff = staff_user()
    assert staff_user() == staff and staff.is_staff
    path = page_path(DASHBOARD, dataset=None)
    assert count_queries(path, staff)["status"] == 200
    assert raw_reads(path, staff) == []
    # The check does see a page that reads registrations: the person's own data (a page that is
    # never kept whole, so its second request reads them too).
    assert raw_reads(reverse("privacy:personal-data"), staff)


def _dashboard_entry(*, p50, floor_p50, queries, raw=()):
    wrk = {
        "requests_per_second": 100.0,
        "p50_ms": p50,
        "p99_ms": p50 * 2,
        "bad_responses": 0,
        "socket_errors": 0,
    }
    floor = {"requests_per_second": 200.0, "p50_ms": floor_p50, "p99_ms": floor_p50 * 2}
    return {
        "dashboard": {
            "label": "Engagement dashboard",
            "measured": True,
            "queries": queries,
            "wrk": wrk,
            "floor_beside": floor,
            "raw_reads": list(raw),
            "rollup": {"attendance": 10, "membership": 5, "seconds": 0.1},
        }
    }


@pytest.mark.parametrize(
    ("large", "holds"),
    [
        (_dashboard_entry(p50=24.0, floor_p50=10.0, queries=11), [True, True, True]),
        (_dashboard_entry(p50=40.0, floor_p50=10.0, queries=11), [True, False, True]),
        (_dashboard_entry(p50=20.0, floor_p50=10.0, queries=13), [False, True, True]),
        (
            _dashboard_entry(
                p50=20.0, floor_p50=10.0, queries=11, raw=['SELECT … FROM "events_registration"']
            ),
            [True, True, False],
        ),
    ],
)
def test_the_dashboards_verdicts_are_the_issues_targets(large, holds):
    from bench.report_dashboard import dashboard_targets

    small = _dashboard_entry(p50=20.0, floor_p50=10.0, queries=11)
    targets = []
    dashboard_targets(targets, {"small": small, "large": large})
    assert [target["holds"] for target in targets] == holds


# --- the run: its sections, their timing, and the bulk loader ----------------------------------


def test_only_takes_known_sections_and_refuses_others():
    import argparse

    from bench.run import SECTIONS, _only

    assert _only("contention") == {"contention"}
    assert _only(" pages, writes ,") == {"pages", "writes"}
    assert set(SECTIONS) >= {"dataset", "pages", "dashboard", "writes", "uncached"}
    for wrong in ("pages,sideways", "", ","):
        with pytest.raises(argparse.ArgumentTypeError, match="choose from"):
            _only(wrong)


def test_only_is_refused_before_anything_runs_when_a_section_is_unknown(capsys):
    from bench.run import main

    with pytest.raises(SystemExit) as exited:
        main(["--only", "everything"])
    assert exited.value.code == 2
    assert "unknown section(s) everything" in capsys.readouterr().err


def test_each_section_is_timed_in_the_order_it_ran_even_when_it_fails():
    from bench.run import Clock

    clock = Clock()
    with clock.section("first", "the first part"):
        pass
    with pytest.raises(RuntimeError), clock.section("second", "the second part"):
        raise RuntimeError("it broke")
    assert [entry["section"] for entry in clock.sections] == ["first", "second"]
    assert all(entry["seconds"] >= 0 for entry in clock.sections)
    summary = clock.summary()
    assert "the first part" in summary and "the second part" in summary and "in all" in summary


def test_the_report_says_where_the_runs_time_went():
    import json
    from pathlib import Path

    from bench.report import markdown

    results = json.loads((Path(__file__).resolve().parents[1] / "bench" / "results-quick.json").read_text())
    results["seconds"] = 200.0
    results["sections"] = [
        {"section": "dataset", "label": "dataset, to 1,000 registrations", "seconds": 20.0},
        {"section": "pages_small", "label": "pages at 1,000 registrations", "seconds": 150.0},
    ]
    text = markdown(results)
    assert "## Where the run's time went" in text
    assert "| pages at 1,000 registrations | 150.0 | 75% |" in text
    assert "| the rest (between sections: the machine read, servers stopped) | 30.0 | 15% |" in text
    assert "| in all | 200.0 | 100% |" in text


@pytest.mark.django_db
def test_rows_copied_in_bulk_read_back_as_the_same_rows_saved_one_by_one(org):
    """The loader prepares each value as the field would on save, even after it has passed
    values of the same type on unchanged (a naive datetime after aware ones is still made aware
    in London time)."""
    import warnings
    from datetime import datetime

    from django.db import connection

    from bench.dataset import insert_rows
    from loti_portal.utils import LONDON
    from tests.factories import EventFactory, UserFactory
    from tests.helpers import need

    need(connection.vendor == "postgresql", "the bulk loader's COPY needs PostgreSQL (set DATABASE_URL)")
    event, people = EventFactory(capacity=None), UserFactory.create_batch(4, organisation=org)
    aware = timezone.now().replace(microsecond=0) - timedelta(days=2)
    naive = datetime(2026, 6, 1, 9, 30)
    rows = [
        {"event_id": event.pk, "user_id": people[0].pk, "status": Registration.Status.CONFIRMED},
        {
            "event_id": event.pk,
            "user_id": people[1].pk,
            "status": Registration.Status.CANCELLED,
            "created_at": aware,
            "cancelled_at": aware + timedelta(hours=1),
        },
        {
            "event_id": event.pk,
            "user_id": people[2].pk,
            "status": Registration.Status.WAITLISTED,
            "waitlist_position": 1,
            "created_at": aware,
            "answers": {"diet": "vegan"},
        },
        {"event_id": event.pk, "user_id": people[3].pk, "status": "confirmed", "created_at": naive},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Django's warning about the naive datetime
        assert insert_rows(Registration, rows) == 4
    loaded = {registration.user_id: registration for registration in Registration.objects.all()}
    for row in rows:
        registration = loaded[row["user_id"]]
        for name, value in row.items():
            if name == "created_at" and value is naive:
                value = timezone.make_aware(naive, LONDON)
            assert getattr(registration, name) == value, name
    assert loaded[people[0].pk].answers == {} and loaded[people[0].pk].waitlist_position is None
    assert loaded[people[0].pk].created_at is not None and loaded[people[0].pk].updated_at is not None


def test_a_part_of_a_run_is_judged_on_the_sections_it_ran_only():
    import json
    from pathlib import Path

    from bench.report import evaluate

    whole = json.loads((Path(__file__).resolve().parents[1] / "bench" / "results-quick.json").read_text())
    part = {"contention": whole["contention"]}
    targets = evaluate(part)
    assert {target["subject"] for target in targets} == {"registration"}
    assert len(targets) == 3
    writes = {"pages": {"writes_5": whole["pages"]["writes_5"]}}
    assert {target["target"].split(" ")[0] for target in evaluate(writes)} == {"req/s", "p99"}
    assert evaluate({}) == []


@pytest.mark.django_db(transaction=True)  # on PostgreSQL each load ends with VACUUM, outside any transaction
def test_each_load_sets_the_event_rows_counts_and_renews_the_versions_of_the_pages_showing_them():
    from django.core.cache import caches

    from bench.dataset import Sizes, build, load_registrations
    from events.services.counts import COUNT_FIELDS, event_counts_expressions
    from loti_portal import versions

    data = build(Sizes(members=80, events=12, registrations=300, small_registrations=60))
    for upto in (60, 300):
        before = caches["default"].get(versions._version_key(versions.EVENT_DETAILS))
        load_registrations(data, upto)
        assert Registration.objects.count() == upto
        counted = Event.objects.annotate(
            **{f"counted_{name}": value for name, value in event_counts_expressions().items()}
        )
        for event in counted:
            for name in COUNT_FIELDS:
                assert getattr(event, name) == getattr(event, f"counted_{name}"), (event.slug, name)
        assert caches["default"].get(versions._version_key(versions.EVENT_DETAILS)) not in (None, before)
    assert sum(Event.objects.values_list("places_taken", flat=True)) > 0
