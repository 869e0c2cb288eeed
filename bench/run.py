"""Run the benchmarks: `python -m bench.run [--quick]`, with DATABASE_URL and REDIS_URL pointing at
a throwaway PostgreSQL and Redis (`make bench` starts them with scripts/services.sh).

1. Migrate, collect static files, build the dataset with the small set of registrations.
2. Serve with gunicorn (production settings) and load the floor and each page with wrk; count
   each page's queries. The staff engagement dashboard likewise, its monthly rollups rewritten
   first (bench/dashboard.py).
3. Load the rest of the registrations and measure again (the dashboard too): with nothing else
   happening, then while registrations and cancellations run in the background through the
   service (bench/writes.py) at each rate of WRITE_RATES, floor and page alike; then with no
   rendered part cached.
4. Reminder fan-out against the SMTP sink's raw rate; registration under contention.
5. Write bench/results.json and bench/results.md (results-quick.* with --quick).

`--only SECTION` runs one section alone, after building the same dataset (the full number of
registrations, as the whole run has when it reaches that section) and starting gunicorn:

- `contention`: the registration race of step 4;
- `writes`: the pages while registrations and cancellations run in the background (step 3),
  at each rate of WRITE_RATES, each page against the floor beside it.

Its figures are printed and written to var/bench/only-SECTION[-quick].json, never to
bench/results*: those always come from a whole run. On throwaway servers, as for a whole run:
`bash scripts/bench.sh --quick --only contention`.

Only this module's main() touches Django, after the environment is set: the SMTP sink's process
is spawned and imports this module's name without running it.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_CONNECTIONS = 8
WRK_THREADS = 2
GUNICORN_WORKERS = 2
SESSIONS_IN_ROTATION = 8
WRITE_RATES = (5, 20)  # registrations and cancellations per second in the background
SECTIONS = ("contention", "writes")  # what --only may run alone

PROFILES = {
    # wrk seconds per run and rounds of (floor, page) per page; reminders; registration race
    # Short rounds, many of them: the box is shared, and a burst of someone else's work then
    # falls on both sides of a comparison rather than on one run.
    "full": {
        "wrk_seconds": 3,
        "rounds": 4,
        "write_rounds": 2,
        "reminders": 5_000,
        "people": 400,
        "places": 100,
        "subscribers": 10_000,
    },
    "quick": {
        "wrk_seconds": 2,
        "rounds": 2,
        "write_rounds": 1,
        "reminders": 500,
        "people": 400,
        "places": 100,
        "subscribers": 1_000,
    },
}


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def measure_pages(server, dataset, user, *, seconds: int, rounds: int, pages=None) -> dict:
    """Each page under wrk, alternating with the floor (floor, page, floor, page…), so that every
    page has a floor measured beside it: the box is shared and its speed drifts over minutes.
    Query counts come from Django's test client on the same database."""
    from .load import combine, probe, run_wrk
    from .pages import FLOOR, PAGES, count_queries, page_path, session_cookie

    def load(url, cookies=None):
        return run_wrk(
            url, seconds=seconds, connections=WRK_CONNECTIONS, threads=WRK_THREADS, cookies=cookies
        )

    cookies = [session_cookie(user) for _ in range(SESSIONS_IN_ROTATION)]
    floor_path = page_path(FLOOR, dataset)
    floor_url = server.base_url + floor_path
    run_wrk(floor_url, seconds=2, connections=WRK_CONNECTIONS, threads=WRK_THREADS)  # warm-up
    results = {
        "floor": {
            "label": FLOOR.label,
            "path": floor_path,
            "measured": True,
            "has_targets": False,
            "queries": count_queries(floor_path)["queries"],
        }
    }
    floor_runs = []
    for page in pages or PAGES:
        entry = {
            "label": page.label,
            "url_name": page.url_name,
            "has_targets": page.has_targets,
            "measured": False,
        }
        results[page.key] = entry
        path = page_path(page, dataset)
        if path is None:
            entry["reason"] = f"URL name {page.url_name} does not reverse yet"
            say(f"  {page.label}: not available ({entry['reason']})")
            continue
        entry["path"] = path
        status, size = probe(server.base_url + path, cookie=cookies[0])
        counted = count_queries(path, user if page.signed_in else None)
        entry.update(status=status, bytes=size, queries=counted["queries"], sql=counted["sql"])
        if status != 200:
            entry["reason"] = f"GET {path} answered {status}, not 200"
            say(f"  {page.label}: {entry['reason']}")
            continue
        page_runs, beside = [], []
        for _ in range(rounds):
            beside.append(load(floor_url))
            page_runs.append(load(server.base_url + path, cookies if page.signed_in else None))
        floor_runs += beside
        result, floor = combine(page_runs), combine(beside)
        entry.update(measured=True, wrk=result.as_dict(), floor_beside=floor.as_dict())
        say(
            f"  {page.label}: {result.requests_per_second:.0f} req/s (floor beside it "
            f"{floor.requests_per_second:.0f}), p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms "
            f"(floor {floor.p99_ms:.1f}), {counted['queries']} queries"
        )
    if not floor_runs:
        floor_runs.append(load(floor_url))
    floor = combine(floor_runs)
    results["floor"].update(wrk=floor.as_dict(), runs=[run.as_dict() for run in floor_runs])
    say(f"  floor, {len(floor_runs)} runs: {floor.requests_per_second:.0f} req/s, p99 {floor.p99_ms:.1f} ms")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small dataset and short runs (about 2 minutes)")
    parser.add_argument(
        "--only",
        choices=SECTIONS,
        help="run one section alone on the dataset it needs; prints its figures and writes "
        "var/bench/only-SECTION.json, never bench/results*",
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    profile = PROFILES[mode]

    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        print(
            "bench: DATABASE_URL (PostgreSQL) and REDIS_URL must point at throwaway servers; "
            "`make bench` starts them (scripts/bench.sh).",
            file=sys.stderr,
        )
        return 2

    from .server import production_environment

    env = production_environment(database_url=database_url, redis_url=redis_url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User

    from . import contention, dashboard, dataset, fanout, newsletter_fanout, report
    from .server import Gunicorn
    from .smtp_sink import SinkProcess
    from .writes import BackgroundWrites

    began = time.perf_counter()
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    say(f"{mode} run; logs in {logs}")
    call_command("migrate", interactive=False, verbosity=0)
    if User.objects.exists():
        print(
            "bench: the database already has people in it; run against an empty, throwaway one.",
            file=sys.stderr,
        )
        return 2
    call_command("collectstatic", interactive=False, verbosity=0)

    sizes = dataset.QUICK if args.quick else dataset.FULL
    say(f"building the dataset: {sizes}")
    data = dataset.build(sizes)
    dataset.load_registrations(data, sizes.small_registrations)
    staff = dashboard.staff_user()
    counts_small = data.counts()
    say(f"  small: {counts_small}")
    user = User.objects.get(pk=data.bench_user_id)

    results = {
        "mode": mode,
        "command": "make bench-quick" if args.quick else "make bench",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "wrk_seconds": profile["wrk_seconds"],
            "rounds": profile["rounds"],
            "wrk_connections": WRK_CONNECTIONS,
            "wrk_threads": WRK_THREADS,
            "gunicorn_workers": GUNICORN_WORKERS,
            "sessions_in_rotation": SESSIONS_IN_ROTATION,
            "write_rounds": profile["write_rounds"],
            "write_rates": list(WRITE_RATES),
        },
        "machine": report.machine(redis_url),
    }
    server = Gunicorn(env, workers=GUNICORN_WORKERS, log_path=logs / "gunicorn.log").start()
    say(f"gunicorn on {server.base_url}")
    sink = None
    if args.only:
        try:
            return _run_only(
                args.only, server, data, user, sizes=sizes, profile=profile, logs=logs, mode=mode
            )
        finally:
            server.stop()
    try:
        say(f"pages at {counts_small['registrations']:,} registrations")
        small = measure_pages(server, data, user, seconds=profile["wrk_seconds"], rounds=profile["rounds"])
        say(f"engagement dashboard at {counts_small['registrations']:,} registrations, signed in as staff")
        dashboard_small = dashboard.measure(
            server,
            data,
            staff,
            seconds=profile["wrk_seconds"],
            rounds=profile["rounds"],
            measure_pages=measure_pages,
        )

        say(f"loading the rest of the registrations (to {sizes.registrations:,})")
        dataset.load_registrations(data, sizes.registrations)
        counts_large = data.counts()
        say(f"  large: {counts_large}")
        say(f"pages at {counts_large['registrations']:,} registrations")
        large = measure_pages(server, data, user, seconds=profile["wrk_seconds"], rounds=profile["rounds"])
        say(f"engagement dashboard at {counts_large['registrations']:,} registrations, signed in as staff")
        dashboard_large = dashboard.measure(
            server,
            data,
            staff,
            seconds=profile["wrk_seconds"],
            rounds=profile["rounds"],
            measure_pages=measure_pages,
        )
        under_writes, writes = {}, {}
        for rate in WRITE_RATES:
            say(f"pages while {rate} registrations and cancellations a second run in the background")
            with BackgroundWrites(rate=rate) as background:
                under_writes[rate] = measure_pages(
                    server, data, user, seconds=profile["wrk_seconds"], rounds=profile["write_rounds"]
                )
            writes[rate] = background.counts.as_dict()
            say(f"  writes: {writes[rate]}")

        say("pages with every request uncached (PAGE_FRAGMENT_CACHE=false)")
        server.stop()
        server = Gunicorn(
            {**env, "PAGE_FRAGMENT_CACHE": "false"}, workers=GUNICORN_WORKERS, log_path=logs / "gunicorn.log"
        ).start()
        uncached = measure_pages(
            server, data, user, seconds=profile["wrk_seconds"], rounds=profile["write_rounds"]
        )
        server.stop()
        server = Gunicorn(env, workers=GUNICORN_WORKERS, log_path=logs / "gunicorn.log").start()

        sink = SinkProcess().start()
        say(f"SMTP sink on port {sink.port}: raw rate, {profile['reminders']:,} messages on one connection")
        smtp_raw = fanout.sink_raw_rate(sink, profile["reminders"])
        say(f"  {smtp_raw['messages_per_second']:.0f} messages/s")
        say(f"reminder fan-out: {profile['reminders']:,} reminders through a real worker")
        fanned = fanout.reminder_fanout(
            sink,
            profile["reminders"],
            member_ids=data.member_ids,
            worker_env=env,
            log_path=logs / "worker.log",
        )
        say(f"  {fanned}")

        say(f"newsletter: one issue to {profile['subscribers']:,} subscribers through a real worker")
        newsletter = newsletter_fanout.newsletter_fanout(
            sink, profile["subscribers"], worker_env=env, log_path=logs / "worker-newsletter.log"
        )
        say(f"  {newsletter}")

        say(f"registration under contention: {profile['people']} people, {profile['places']} places")
        raced = contention.run(server.base_url, people=profile["people"], places=profile["places"])
        say(f"  {raced}")
    finally:
        if sink is not None:
            sink.stop()
        server.stop()

    results.update(
        {
            "dataset": {
                "sizes": sizes.__dict__,
                "small": counts_small,
                "large": counts_large,
                "timings": data.timings,
                "event_measured": data.event_slug,
                "network_measured": data.network_slug,
            },
            "floor": {"small": small["floor"]["wrk"], "large": large["floor"]["wrk"]},
            "pages": {
                "small": small,
                "large": large,
                **{f"writes_{r}": under_writes[r] for r in WRITE_RATES},
                "uncached": uncached,
            },
            "dashboard": {"small": dashboard_small, "large": dashboard_large},
            "writes": {str(rate): counts for rate, counts in writes.items()},
            "smtp_raw": smtp_raw,
            "fanout": fanned,
            "newsletter": newsletter,
            "contention": raced,
        }
    )
    results["targets"] = report.evaluate(results)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["seconds"] = round(time.perf_counter() - began, 1)
    stem = "results-quick" if args.quick else "results"
    report.write(results, ROOT / "bench" / f"{stem}.json", ROOT / "bench" / f"{stem}.md")
    say(f"wrote bench/{stem}.json and bench/{stem}.md")
    print(report.markdown(results))
    return 0


def _run_only(section: str, server, data, user, *, sizes, profile: dict, logs: Path, mode: str) -> int:
    """One section of the run alone (--only), on the dataset as the whole run has it then.
    Returns 0 when its targets hold, 1 when one does not."""
    import json

    from . import contention, dataset, report
    from .writes import BackgroundWrites

    say(f"loading the rest of the registrations (to {sizes.registrations:,})")
    dataset.load_registrations(data, sizes.registrations)
    say(f"  {data.counts()}")
    outcome: dict = {
        "section": section,
        "mode": mode,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    holds = True
    if section == "contention":
        say(f"registration under contention: {profile['people']} people, {profile['places']} places")
        raced = contention.run(server.base_url, people=profile["people"], places=profile["places"])
        say(f"  {raced}")
        outcome["contention"] = raced
        holds = (
            raced.get("available", False)
            and raced["exact"]
            and raced["server_errors"] == 0
            and raced["registrations_per_second"] >= report.MIN_REGISTRATIONS_PER_SECOND
        )
    else:
        for rate in WRITE_RATES:
            say(f"pages while {rate} registrations and cancellations a second run in the background")
            with BackgroundWrites(rate=rate) as background:
                measured = measure_pages(
                    server, data, user, seconds=profile["wrk_seconds"], rounds=profile["write_rounds"]
                )
            targets = []
            for key, page in measured.items():
                if key != "floor" and page.get("has_targets"):
                    report._write_targets(targets, page, rate)
            for target in targets:
                say(f"  {target['subject']}: {target['target']}: {target['measured']} ({target['holds']})")
            holds = holds and all(target["holds"] for target in targets)
            outcome[f"writes_{rate}"] = {"pages": measured, "writes": background.counts.as_dict()}
            say(f"  writes: {background.counts.as_dict()}")
    outcome["holds"] = holds
    path = logs / f"only-{section}{'-quick' if mode == 'quick' else ''}.json"
    path.write_text(json.dumps(outcome, indent=2, default=str))
    say(f"wrote {path.relative_to(ROOT)} (not bench/results*: only a whole run writes those)")
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(main())
