"""Targets, machine description, and the results files (JSON and a Markdown table)."""

import json
import os
import platform
import subprocess
from pathlib import Path

# From issues 7 and 13, each a ratio measured in one run.
MIN_RPS_RATIO = 0.40  # of the floor's requests per second
MAX_P99_RATIO = 3.0  # times the floor's p99
# While registrations and cancellations run in the background (writes per second), and with no
# rendered part cached ("uncached"): the least share of the floor's throughput, and the most
# times its p99 (None: no target).
WRITE_TARGETS = {5: (0.40, 3.0), 20: (0.25, None), "uncached": (0.20, 4.0)}
MAX_QUERIES = 10
MAX_GROWTH = 1.25  # median latency at the large size over the small size
MIN_REGISTRATIONS_PER_SECOND = 100
MIN_FANOUT_RATIO = 0.50  # of the SMTP sink's raw rate

OK, FAIL, NA = "✅", "❌", "not available"


def machine(redis_url: str) -> dict:
    import django
    import gunicorn
    from django.db import connection

    def first(path, prefix):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    try:
        import redis

        redis_version = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    except Exception as exc:  # informational only
        redis_version = f"unknown ({exc.__class__.__name__})"
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    # The results files are the benchmark's own output: changes to them are not changes to the code.
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results*"],
        capture_output=True,
        text=True,
        check=False,
    )
    memory_kib = first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(memory_kib) / 2**20, 1) if memory_kib.isdigit() else None,
        "cpu": first("/proc/cpuinfo", "model name"),
        "os": _os_name(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "redis": redis_version,
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk.stdout or wrk.stderr).split("Copyright")[0].strip(),
        "commit": commit.stdout.strip() + ("+local changes" if dirty.stdout.strip() else ""),
    }


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.partition("=")[2].strip('"')
    except OSError:
        pass
    return platform.platform()


def _holds(condition) -> str:
    return NA if condition is None else (OK if condition else FAIL)


def _target(targets, name, subject, measured, holds):
    """Record a verdict (in `targets`, unless it is None: a reference page) and return it."""
    if targets is not None:
        targets.append({"target": name, "subject": subject, "measured": measured, "holds": holds})
    return holds


PAGE_TARGETS = (
    f"req/s ≥ {MIN_RPS_RATIO:.0%} of the floor",
    f"p99 ≤ {MAX_P99_RATIO:g}× the floor",
    f"≤ {MAX_QUERIES} queries, the same at both sizes",
    f"p50 growth ≤ {MAX_GROWTH}×",
)


def _page_targets(targets, page, small_page) -> None:
    """Check one page against the floor measured beside it; the verdicts are also kept on the
    page (`verdicts`) for the table.

    Growth is judged on the page's p50 relative to its floor at each size (the two sizes are
    minutes apart, and the box's speed drifts); the raw ratio of medians is kept too.
    """
    label = page["label"]
    if not page.get("measured"):
        for name in PAGE_TARGETS:
            _target(targets, name, label, page.get("reason", NA), None)
        return
    wrk, floor = page["wrk"], page["floor_beside"]
    rps_ratio = wrk["requests_per_second"] / floor["requests_per_second"]
    p99_ratio = wrk["p99_ms"] / floor["p99_ms"]
    before, after = small_page.get("queries"), page.get("queries")
    growth = None
    if small_page.get("measured"):
        small_wrk, small_floor = small_page["wrk"], small_page["floor_beside"]
        page["p50_growth_raw"] = round(wrk["p50_ms"] / small_wrk["p50_ms"], 3)
        growth = (wrk["p50_ms"] / floor["p50_ms"]) / (small_wrk["p50_ms"] / small_floor["p50_ms"])
    page.update(rps_ratio=round(rps_ratio, 3), p99_ratio=round(p99_ratio, 3))
    page["p50_growth"] = None if growth is None else round(growth, 3)
    rps_ok = rps_ratio >= MIN_RPS_RATIO and wrk["bad_responses"] == 0 and wrk["socket_errors"] == 0
    same = None
    if None not in (before, after):
        same = before == after and after <= MAX_QUERIES
    page["verdicts"] = [
        _target(targets, PAGE_TARGETS[0], label, f"{rps_ratio:.0%}", rps_ok),
        _target(targets, PAGE_TARGETS[1], label, f"{p99_ratio:.2f}×", p99_ratio <= MAX_P99_RATIO),
        _target(
            targets,
            PAGE_TARGETS[2],
            label,
            f"{before} / {after}",
            same,
        ),
        _target(
            targets,
            PAGE_TARGETS[3],
            label,
            NA if growth is None else f"{growth:.2f}×",
            None if growth is None else growth <= MAX_GROWTH,
        ),
    ]


def _pass_name(rate) -> str:
    return "uncached" if rate == "uncached" else f"writes_{rate}"


def _pass_label(rate) -> str:
    return "every request uncached" if rate == "uncached" else f"{rate} writes/s"


def _write_targets(targets, page, rate) -> None:
    """Check one page measured while `rate` writes a second run (or uncached), against the floor
    beside it."""
    min_rps, max_p99 = WRITE_TARGETS[rate]
    label = f"{page['label']}, {_pass_label(rate)}"
    names = (f"req/s ≥ {min_rps:.0%} of the floor", f"p99 ≤ {max_p99:g}× the floor" if max_p99 else None)
    if not page.get("measured"):
        for name in names:
            if name:
                _target(targets, name, label, page.get("reason", NA), None)
        return
    wrk, floor = page["wrk"], page["floor_beside"]
    rps_ratio = wrk["requests_per_second"] / floor["requests_per_second"]
    p99_ratio = wrk["p99_ms"] / floor["p99_ms"]
    page.update(rps_ratio=round(rps_ratio, 3), p99_ratio=round(p99_ratio, 3))
    rps_ok = rps_ratio >= min_rps and wrk["bad_responses"] == 0 and wrk["socket_errors"] == 0
    page["verdicts"] = [
        _target(targets, names[0], label, f"{rps_ratio:.0%}", rps_ok),
        _target(targets, names[1], label, f"{p99_ratio:.2f}×", p99_ratio <= max_p99) if max_p99 else None,
    ]


def evaluate(results: dict) -> list[dict]:
    """Every target as {target, subject, measured, holds (True/False, None: not available)}.
    Sections a run left out (--only) have no targets."""
    targets = []
    pages = results.get("pages", {})
    large, small = pages.get("large", {}), pages.get("small", {})
    for key, page in large.items():
        if key != "floor":
            _page_targets(targets if page.get("has_targets") else None, page, small.get(key, {}))
    for rate in WRITE_TARGETS:
        for key, page in pages.get(_pass_name(rate), {}).items():
            if key != "floor" and page.get("has_targets"):
                _write_targets(targets, page, rate)

    if results.get("dashboard"):
        from .report_dashboard import dashboard_targets

        dashboard_targets(targets, results["dashboard"])

    race = results.get("contention")
    if race is None:
        pass
    elif race.get("available"):
        race["verdicts"] = [
            _target(
                targets,
                "0 overbooked; exactly the places confirmed, the rest waiting in order",
                "registration",
                f"{race['overbooked']} overbooked, {race['confirmed']} confirmed, "
                f"{race['waitlisted']} waiting",
                race["overbooked"] == 0 and race["exact"],
            ),
            _target(
                targets,
                "0 server errors",
                "registration",
                str(race["server_errors"]),
                race["server_errors"] == 0,
            ),
            _target(
                targets,
                f"≥ {MIN_REGISTRATIONS_PER_SECOND} registrations/s",
                "registration",
                f"{race['registrations_per_second']:.0f}/s",
                race["registrations_per_second"] >= MIN_REGISTRATIONS_PER_SECOND,
            ),
        ]
    else:
        _target(targets, "registration under contention", "registration", race.get("reason", NA), None)

    fanout, raw = results.get("fanout"), results.get("smtp_raw")
    if fanout is None:
        pass
    elif fanout.get("available"):
        ratio = fanout["messages_per_second"] / raw["messages_per_second"]
        growth = fanout["memory_growth_quarter_to_end"]
        fanout["ratio_to_raw"] = round(ratio, 3)
        fanout["verdicts"] = [
            _target(
                targets,
                f"≥ {MIN_FANOUT_RATIO:.0%} of the SMTP sink's raw rate",
                "reminder fan-out",
                f"{ratio:.0%}",
                ratio >= MIN_FANOUT_RATIO and fanout["complete"],
            ),
            _target(
                targets,
                "worker memory flat (≤ 10% growth from ¼ to the end)",
                "reminder fan-out",
                NA if growth is None else f"{growth:+.1%}",
                fanout["memory_flat"],
            ),
        ]
    else:
        _target(targets, "reminder fan-out", "reminder fan-out", fanout.get("reason", NA), None)
    newsletter = results.get("newsletter")
    if newsletter and newsletter.get("available"):
        growth = newsletter["memory_growth_quarter_to_end"]
        ratio = newsletter["ratio_to_raw"]
        newsletter["verdicts"] = [
            _target(
                targets,
                f"≥ {MIN_FANOUT_RATIO:.0%} of the SMTP sink's raw rate",
                "newsletter fan-out",
                f"{ratio:.0%}",
                ratio >= MIN_FANOUT_RATIO and newsletter["complete"],
            ),
            _target(
                targets,
                "worker memory flat (≤ 10% growth from ¼ to the end)",
                "newsletter fan-out",
                NA if growth is None else f"{growth:+.1%}",
                newsletter["memory_flat"],
            ),
        ]
    return targets


def _newsletter_table(newsletter: dict) -> list[str]:
    if not newsletter or not newsletter.get("available"):
        return []
    verdicts = [_holds(value) for value in newsletter["verdicts"]]
    rss = " / ".join(
        str(newsletter["worker_rss_mib"].get(mark, "–")) for mark in ("start", "quarter", "half", "end")
    )
    growth = newsletter["memory_growth_quarter_to_end"]
    return [
        f"Raw rate for newsletter-sized messages: {newsletter['raw']['messages_per_second']:.0f} messages/s.",
        "",
        _row("figure", "measured", "target", "holds"),
        "|---|---:|---|---|",
        _row(
            f"one issue to {newsletter['subscribers']:,} subscribers through the worker",
            f"{newsletter['messages_per_second']:.0f} msg/s = {newsletter['ratio_to_raw']:.0%} of raw",
            f"≥ {MIN_FANOUT_RATIO:.0%}",
            verdicts[0],
        ),
        _row(
            "worker RSS (MiB, with its pool) at start / ¼ / ½ / end",
            rss,
            "flat: ≤ 10% from ¼ to the end",
            verdicts[1] + ("" if growth is None else f" {growth:+.1%}"),
        ),
    ]


def _row(*cells) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _pages_table(results: dict) -> list[str]:
    large, small = results["pages"]["large"], results["pages"]["small"]
    floor = results["floor"]["large"]
    sizes = results["dataset"]["sizes"]
    small_n, large_n = f"{sizes['small_registrations']:,}", f"{sizes['registrations']:,}"
    floor_growth = large["floor"]["wrk"]["p50_ms"] / small["floor"]["wrk"]["p50_ms"]
    lines = [
        _row(
            "page",
            "req/s (floor beside it)",
            f"÷ floor (≥ {MIN_RPS_RATIO:.0%})",
            "p50 ms",
            "p99 ms (floor)",
            f"÷ floor p99 (≤ {MAX_P99_RATIO:g}×)",
            f"queries at {small_n} / {large_n} (≤ {MAX_QUERIES}, same)",
            f"p50 at {large_n} ÷ at {small_n}, to floor (raw) (≤ {MAX_GROWTH}×)",
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        _row(
            f"{large['floor']['label']}, all runs",
            f"{floor['requests_per_second']:.0f}",
            "1",
            f"{floor['p50_ms']:.1f}",
            f"{floor['p99_ms']:.1f}",
            "1",
            f"{small['floor'].get('queries')} / {large['floor'].get('queries')}",
            f"({floor_growth:.2f}×)",
        ),
    ]
    for key, page in large.items():
        if key == "floor":
            continue
        if not page.get("measured"):
            lines.append(_row(page["label"], f"{NA}: {page.get('reason', '')}", "", "", "", "", "", ""))
            continue
        wrk, beside = page["wrk"], page["floor_beside"]
        verdicts = [_holds(value) for value in page["verdicts"]]
        bad = wrk["bad_responses"] + wrk["socket_errors"]
        growth = page["p50_growth"]
        lines.append(
            _row(
                page["label"],
                f"{wrk['requests_per_second']:.0f} ({beside['requests_per_second']:.0f})"
                + (f", {bad} errors" if bad else ""),
                f"{page['rps_ratio']:.0%} {verdicts[0]}",
                f"{wrk['p50_ms']:.1f}",
                f"{wrk['p99_ms']:.1f} ({beside['p99_ms']:.1f})",
                f"{page['p99_ratio']:.2f}× {verdicts[1]}",
                f"{small.get(key, {}).get('queries')} / {page.get('queries')} {verdicts[2]}",
                NA if growth is None else f"{growth:.2f}× ({page['p50_growth_raw']:.2f}×) {verdicts[3]}",
            )
        )
    return lines


def _writes_table(results: dict) -> list[str]:
    """Each page's share of the floor and p99 over the floor's: with nothing else happening, at
    each rate of background writes, and with no rendered part cached."""
    rates = [rate for rate in WRITE_TARGETS if _pass_name(rate) in results["pages"]]
    large = results["pages"]["large"]
    header = ["page", f"nothing else happening (≥ {MIN_RPS_RATIO:.0%}, p99 ≤ {MAX_P99_RATIO:g}×)"]
    for rate in rates:
        min_rps, max_p99 = WRITE_TARGETS[rate]
        wanted = f"≥ {min_rps:.0%}" + (f", p99 ≤ {max_p99:g}×" if max_p99 else "")
        header.append(f"{_pass_label(rate)} ({wanted})")
    lines = [_row(*header), "|---|" + "---:|" * (len(header) - 1)]

    def cell(page):
        if not page.get("measured"):
            return NA
        marks = [
            _holds(value) if value is not None else "" for value in page.get("verdicts", [None, None])[:2]
        ]
        if not page.get("has_targets"):
            marks = ["", ""]
        rps = f"{page['rps_ratio']:.0%} {marks[0]}".strip()
        p99 = f"{page['p99_ratio']:.2f}× {marks[1] if len(marks) > 1 else ''}".strip()
        return (
            f"{rps} of {page['floor_beside']['requests_per_second']:.0f} req/s; "
            f"p99 {page['wrk']['p99_ms']:.1f} ms = {p99}"
        )

    for key, page in large.items():
        if key == "floor":
            continue
        cells = [cell(page)]
        for rate in rates:
            other = results["pages"][_pass_name(rate)].get(key, {})
            if other.get("measured") and "rps_ratio" not in other:
                wrk, floor = other["wrk"], other["floor_beside"]
                other["rps_ratio"] = round(wrk["requests_per_second"] / floor["requests_per_second"], 3)
                other["p99_ratio"] = round(wrk["p99_ms"] / floor["p99_ms"], 3)
            cells.append(cell(other))
        lines.append(_row(page["label"], *cells))
    writes = results.get("writes", {})
    done = "; ".join(
        f"{rate}/s asked: {counts['achieved_per_second']} a second done ({counts['registered']} registered, "
        f"{counts['cancelled']} cancelled, {counts['refused']} refused, {counts['errors']} errors, "
        f"{counts['late']} late)"
        for rate, counts in writes.items()
    )
    return [*lines, "", f"Writes in the background: {done}."] if done else lines


def _contention_table(race: dict) -> list[str]:
    if not race.get("available"):
        return [f"{NA}: {race.get('reason', '')}"]
    verdicts = [_holds(value) for value in race["verdicts"]]
    statuses = ", ".join(f"{status}: {count}" for status, count in race["http_statuses"].items())
    return [
        f"{race['people']} people, {race['places']} places, {race['clients']} concurrent clients through the "
        "real form: each opens the event page (form and CSRF token) with their own session, then all post; "
        f"timed over the posts ({race['post_seconds']} s; "
        f"opening the forms took {race['open_form_seconds']} s).",
        "",
        _row("figure", "measured", "target", "holds"),
        "|---|---:|---|---|",
        _row(
            "confirmed / waiting / overbooked",
            f"{race['confirmed']} / {race['waitlisted']} / {race['overbooked']}",
            f"{race['places']} / {race['people'] - race['places']} / 0",
            verdicts[0],
        ),
        _row("server errors (5xx)", race["server_errors"], "0", verdicts[1]),
        _row(
            "registrations per second",
            f"{race['registrations_per_second']:.0f}",
            f"≥ {MIN_REGISTRATIONS_PER_SECOND}",
            verdicts[2],
        ),
        _row("HTTP statuses of the posts", statuses, "", ""),
    ]


def _fanout_table(fanout: dict, raw: dict) -> list[str]:
    lines = [
        f"SMTP sink (aiosmtpd in its own process) raw rate: {raw['messages_per_second']:.0f} messages/s "
        f"(Django `send_messages`, {raw['messages']:,} messages on one connection).",
        "",
    ]
    if not fanout.get("available"):
        return [*lines, f"Fan-out {NA}: {fanout.get('reason', '')}"]
    verdicts = [_holds(value) for value in fanout["verdicts"]]
    rss = " / ".join(
        str(fanout["worker_rss_mib"].get(mark, "–")) for mark in ("start", "quarter", "half", "end")
    )
    growth = fanout["memory_growth_quarter_to_end"]
    return [
        *lines,
        _row("figure", "measured", "target", "holds"),
        "|---|---:|---|---|",
        _row(
            f"{fanout['reminders']:,} reminders through the worker",
            f"{fanout['messages_per_second']:.0f} msg/s = {fanout['ratio_to_raw']:.0%} of raw",
            f"≥ {MIN_FANOUT_RATIO:.0%}",
            verdicts[0],
        ),
        _row(
            "worker RSS (MiB, with its pool) at start / ¼ / ½ / end",
            rss,
            "flat: ≤ 10% from ¼ to the end",
            verdicts[1] + ("" if growth is None else f" {growth:+.1%}"),
        ),
    ]


def markdown(results: dict) -> str:
    from .report_dashboard import dashboard_table

    config, m, dataset = results["config"], results["machine"], results["dataset"]
    holds = [target["holds"] for target in results["targets"]]
    timings = []
    for name, value in dataset["timings"].items():
        if isinstance(value, dict) and timings:  # the parts of the step before
            timings[-1] += f" ({', '.join(f'{part} {seconds}' for part, seconds in value.items())})"
        else:
            timings.append(f"{name} {value}")
    timings = ", ".join(timings)
    return "\n".join(
        [
            f"# Benchmark results ({results['mode']})",
            "",
            f"`{results['command']}`, finished {results['finished_at']}, {results['seconds']:.0f} s in all. "
            f"Targets: {holds.count(True)} hold, {holds.count(False)} fail, "
            f"{holds.count(None)} not available yet.",
            "",
            f"Machine: {m['nproc']} cores, {m['memory_gib']} GiB, {m['cpu']}; {m['os']}; "
            f"Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgresql']}, Redis {m['redis']}, "
            f"gunicorn {m['gunicorn']}, {m['wrk']}; commit {m['commit']}.",
            "",
            f"## Pages at {dataset['sizes']['registrations']:,} registrations",
            "",
            f"gunicorn with {config['gunicorn_workers']} sync workers, production settings, persistent "
            f"database connections. wrk, {config['wrk_connections']} connections: for each page, "
            f"{config['rounds']} round(s) of {config['wrk_seconds']} s on the floor then the same on the "
            "page, and the page is compared with the floor measured beside it (the machine is shared and "
            "its speed drifts). Growth compares the page's p50 over the floor's beside it at each size "
            "(the raw ratio of p50s in brackets). Pages are signed in as a member "
            f"({config['sessions_in_rotation']} sessions in rotation); the floor is anonymous. Query counts "
            "come from Django's test client on the same database, signed in. No data is kept between "
            "requests; rendered parts of the event pages are kept in each process under keys made of "
            "what they show (README, Performance).",
            "",
            *_pages_table(results),
            "",
            f"## Pages while people register ({dataset['sizes']['registrations']:,} registrations)",
            "",
            "A thread of the benchmark registers members for upcoming sessions (through "
            "`registration_create`, spread over up to 50 events) and cancels registrations it made "
            "(`registration_cancel`), at a steady rate, while the floor and each page are loaded "
            f"({config.get('write_rounds', 0)} round(s) each): both sides of each comparison run "
            "beside the same writes. The last column is the portal restarted with "
            "`PAGE_FRAGMENT_CACHE=false`, nothing else happening.",
            "",
            *_writes_table(results),
            "",
            "## Engagement dashboard (staff)",
            "",
            "The staff dashboard at `/engagement/` with its default filters, signed in as a member of "
            "staff, measured as the pages are (beside the floor) at both sizes. Before each size the "
            "monthly rollups it reads are rewritten from the registrations and memberships, as beat "
            "does every hour, and that is timed too. The queries of one request are read in full: none "
            "may touch the registrations or memberships tables (no chart counted per request from raw "
            "rows). Growth is the p50 over the floor's beside it at each size (raw ratio in brackets).",
            "",
            *dashboard_table(results),
            "",
            "## Registration under contention",
            "",
            *_contention_table(results["contention"]),
            "",
            "## Reminder fan-out",
            "",
            *_fanout_table(results["fanout"], results["smtp_raw"]),
            "",
            "## Newsletter fan-out",
            "",
            *(_newsletter_table(results.get("newsletter")) or ["Not measured in this run."]),
            "",
            "## Dataset",
            "",
            _row("", "small", "large"),
            "|---|---:|---:|",
            *(
                _row(name, f"{dataset['small'][name]:,}", f"{dataset['large'][name]:,}")
                for name in dataset["large"]
            ),
            "",
            f"Seconds to build: {timings}.",
            "",
            *_sections_table(results),
        ]
    )


def _sections_table(results: dict) -> list[str]:
    """Where the run's time went, section by section, in the order they ran."""
    sections = results.get("sections")
    if not sections:
        return []
    total = results["seconds"]
    rest = total - sum(entry["seconds"] for entry in sections)
    return [
        "## Where the run's time went",
        "",
        _row("section", "seconds", "share"),
        "|---|---:|---:|",
        *(
            _row(entry["label"], f"{entry['seconds']:.1f}", f"{entry['seconds'] / total:.0%}")
            for entry in sections
        ),
        _row(
            "the rest (between sections: the machine read, servers stopped)",
            f"{rest:.1f}",
            f"{rest / total:.0%}",
        ),
        _row("in all", f"{total:.1f}", "100%"),
        "",
    ]


def write(results: dict, json_path: Path, markdown_path: Path) -> None:
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    markdown_path.write_text(markdown(results))
