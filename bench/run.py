"""Run the benchmarks: `python -m bench.run [--quick] [--only SECTION[,SECTION]]`, with
DATABASE_URL and REDIS_URL pointing at a throwaway PostgreSQL and Redis (`make bench` starts
them with scripts/services.sh; `bash scripts/bench.sh --quick --only contention` does too).

1. Migrate, collect static files, build the dataset with the small set of registrations.
2. Serve with gunicorn (production settings) and load the floor and each page with wrk; count
   each page's queries. The staff engagement dashboard likewise, its monthly rollups rewritten
   first (bench/dashboard.py).
3. Load the rest of the registrations and measure again (the dashboard too): with nothing else
   happening, then while registrations and cancellations run in the background through the
   service (bench/writes.py) at each rate of WRITE_RATES, floor and page alike; then with no
   rendered part cached (a second gunicorn, the first staying up for what follows).
4. Reminder and newsletter fan-outs against the SMTP sink's raw rate; registration under
   contention.
5. Write bench/results.json and bench/results.md (results-quick.* with --quick).

Each section is timed; the output ends with where the time went, and results.md has the table.

`--only` runs the sections named (dataset, pages, dashboard, writes, uncached, reminders,
newsletter, contention) on the dataset the whole run has when it reaches them (both sizes are
always built; "dataset" alone builds them, times them and stops), gunicorn started only if they
need it. It prints the sections' targets and exits 1 if one does not hold. Its figures go to
var/bench/only-SECTION[-SECTION][-quick].json; bench/results* are written only by a whole run.
A part is for development: the box's speed drifts between runs, so only a whole run's
comparisons are the benchmark's.

Only this module's main() touches Django, after the environment is set: the SMTP sink's process
is spawned and imports this module's name without running it.
"""

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_CONNECTIONS = 8
WRK_THREADS = 2
GUNICORN_WORKERS = 2
SESSIONS_IN_ROTATION = 8
WRITE_RATES = (5, 20)  # registrations and cancellations per second in the background
# What --only can choose. The dataset is always built (both sizes when a section reads the large
# one); "dataset" alone builds it, times it and stops.
SECTIONS = ("dataset", "pages", "dashboard", "writes", "uncached", "reminders", "newsletter", "contention")

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


class Clock:
    """How long each section of the run took, in the order they ran (the run's output and the
    results files show it, to see where the time goes)."""

    def __init__(self):
        self.began = time.perf_counter()
        self.sections = []

    @contextmanager
    def section(self, key: str, label: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = round(time.perf_counter() - started, 1)
            self.sections.append({"section": key, "label": label, "seconds": seconds})
            say(f"  ({label}: {seconds:.0f} s)")

    def total(self) -> float:
        return round(time.perf_counter() - self.began, 1)

    def summary(self) -> str:
        width = max(len(entry["label"]) for entry in self.sections)
        lines = [f"  {entry['label']:<{width}}  {entry['seconds']:7.1f} s" for entry in self.sections]
        return "\n".join(["where the time went:", *lines, f"  {'in all':<{width}}  {self.total():7.1f} s"])


def _only(value: str) -> frozenset:
    names = frozenset(name.strip() for name in value.split(",") if name.strip())
    unknown = names - set(SECTIONS)
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown section(s) {', '.join(sorted(unknown)) or '(none)'}; choose from {', '.join(SECTIONS)}"
        )
    return names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small dataset and short runs (about 4 minutes)")
    parser.add_argument(
        "--only",
        type=_only,
        metavar="SECTION[,SECTION]",
        help=f"run only these sections ({', '.join(SECTIONS)}) on the whole dataset; their figures "
        "go to var/bench/only-….json, never to bench/results*; exit status 1 if a target fails",
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    profile = PROFILES[mode]
    only = args.only or frozenset(SECTIONS)

    def wanted(*names) -> bool:
        return any(name in only for name in names)

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

    clock = Clock()
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    say(f"{mode} run{'' if args.only is None else ', only ' + ','.join(sorted(only))}; logs in {logs}")
    with clock.section("setup", "migrations and static files"):
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
    with clock.section("dataset", f"dataset, to {sizes.small_registrations:,} registrations"):
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
    if args.only is not None:
        results["only"] = sorted(only)
    pages_results, dashboard_results, writes = {}, {}, {}
    counts_large = None
    server = uncached_server = sink = None

    def serving() -> Gunicorn:
        nonlocal server
        if server is None:
            with clock.section("gunicorn", "starting gunicorn"):
                server = Gunicorn(env, workers=GUNICORN_WORKERS, log_path=logs / "gunicorn.log").start()
            say(f"gunicorn on {server.base_url}")
        return server

    def pages_at(size: str, registrations: int) -> None:
        if wanted("pages"):
            target = serving()
            say(f"pages at {registrations:,} registrations")
            with clock.section(f"pages_{size}", f"pages at {registrations:,} registrations"):
                pages_results[size] = measure_pages(
                    target, data, user, seconds=profile["wrk_seconds"], rounds=profile["rounds"]
                )
        if wanted("dashboard"):
            target = serving()
            say(f"engagement dashboard at {registrations:,} registrations, signed in as staff")
            with clock.section(f"dashboard_{size}", f"dashboard at {registrations:,} registrations"):
                dashboard_results[size] = dashboard.measure(
                    target,
                    data,
                    staff,
                    seconds=profile["wrk_seconds"],
                    rounds=profile["rounds"],
                    measure_pages=measure_pages,
                )

    try:
        pages_at("small", counts_small["registrations"])
        # Every later section runs on the whole dataset, in a part of a run as in a whole one.
        say(f"loading the rest of the registrations (to {sizes.registrations:,})")
        with clock.section("dataset_large", f"dataset, to {sizes.registrations:,} registrations"):
            dataset.load_registrations(data, sizes.registrations)
            counts_large = data.counts()
        say(f"  large: {counts_large}")
        pages_at("large", sizes.registrations)

        for rate in WRITE_RATES if wanted("writes") else ():
            target = serving()
            say(f"pages while {rate} registrations and cancellations a second run in the background")
            with (
                clock.section(f"writes_{rate}", f"pages beside {rate} writes a second"),
                BackgroundWrites(rate=rate) as background,
            ):
                pages_results[f"writes_{rate}"] = measure_pages(
                    target, data, user, seconds=profile["wrk_seconds"], rounds=profile["write_rounds"]
                )
            writes[rate] = background.counts.as_dict()
            say(f"  writes: {writes[rate]}")

        if wanted("uncached"):
            # A second gunicorn beside the first, which stays up idle for what follows rather
            # than being stopped and started again.
            say("pages with every request uncached (PAGE_FRAGMENT_CACHE=false)")
            with clock.section("uncached", "pages uncached (own gunicorn)"):
                uncached_server = Gunicorn(
                    {**env, "PAGE_FRAGMENT_CACHE": "false"},
                    workers=GUNICORN_WORKERS,
                    log_path=logs / "gunicorn-uncached.log",
                ).start()
                pages_results["uncached"] = measure_pages(
                    uncached_server,
                    data,
                    user,
                    seconds=profile["wrk_seconds"],
                    rounds=profile["write_rounds"],
                )
                uncached_server.stop()
                uncached_server = None

        if wanted("reminders", "newsletter"):
            sink = SinkProcess().start()
        if wanted("reminders"):
            with clock.section("reminders", f"reminders, {profile['reminders']:,}"):
                say(
                    f"SMTP sink on port {sink.port}: raw rate, "
                    f"{profile['reminders']:,} messages on one connection"
                )
                results["smtp_raw"] = fanout.sink_raw_rate(sink, profile["reminders"])
                say(f"  {results['smtp_raw']['messages_per_second']:.0f} messages/s")
                say(f"reminder fan-out: {profile['reminders']:,} reminders through a real worker")
                results["fanout"] = fanout.reminder_fanout(
                    sink,
                    profile["reminders"],
                    member_ids=data.member_ids,
                    worker_env=env,
                    log_path=logs / "worker.log",
                    raw_rate=results["smtp_raw"]["messages_per_second"],
                )
            say(f"  {results['fanout']}")

        if wanted("newsletter"):
            say(f"newsletter: one issue to {profile['subscribers']:,} subscribers through a real worker")
            with clock.section("newsletter", f"newsletter, {profile['subscribers']:,} subscribers"):
                results["newsletter"] = newsletter_fanout.newsletter_fanout(
                    sink, profile["subscribers"], worker_env=env, log_path=logs / "worker-newsletter.log"
                )
            say(f"  {results['newsletter']}")

        if wanted("contention"):
            target = serving()
            say(f"registration under contention: {profile['people']} people, {profile['places']} places")
            with clock.section("contention", "registration under contention"):
                results["contention"] = contention.run(
                    target.base_url, people=profile["people"], places=profile["places"]
                )
            say(f"  {results['contention']}")
    finally:
        if sink is not None:
            sink.stop()
        for running in (uncached_server, server):
            if running is not None:
                running.stop()

    results["dataset"] = {
        "sizes": sizes.__dict__,
        "small": counts_small,
        "large": counts_large,
        "timings": data.timings,
        "event_measured": data.event_slug,
        "network_measured": data.network_slug,
    }
    if pages_results:
        results["pages"] = pages_results
        results["floor"] = {
            size: pages_results[size]["floor"]["wrk"] for size in ("small", "large") if size in pages_results
        }
    if dashboard_results:
        results["dashboard"] = dashboard_results
    if writes:
        results["writes"] = {str(rate): counts for rate, counts in writes.items()}
    results["sections"] = clock.sections
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["seconds"] = clock.total()
    results["targets"] = report.evaluate(results)
    print(clock.summary(), flush=True)
    if args.only is not None:
        # Part of a run: kept apart from the results files, which only a whole run writes. Its
        # targets are printed, and the exit status says whether they all hold.
        for target in results["targets"]:
            verdict = {True: "holds", False: "FAILS"}.get(target["holds"], "not available")
            say(f"  {verdict}: {target['subject']}: {target['target']}: {target['measured']}")
        name = "-".join(section for section in SECTIONS if section in only)
        path = logs / f"only-{name}{'-quick' if args.quick else ''}.json"
        path.write_text(json.dumps(results, indent=2, default=str) + "\n")
        say(f"wrote {path.relative_to(ROOT)} (not bench/results*: only a whole run writes those)")
        return 0 if all(target["holds"] is True for target in results["targets"]) else 1
    stem = "results-quick" if args.quick else "results"
    report.write(results, ROOT / "bench" / f"{stem}.json", ROOT / "bench" / f"{stem}.md")
    say(f"wrote bench/{stem}.json and bench/{stem}.md")
    print(report.markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
