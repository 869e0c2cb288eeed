"""The engagement dashboard's rows and verdicts in the benchmark report (bench/report.py)."""

from .report import MAX_GROWTH, NA, _holds, _row, _target

DASHBOARD_MAX_QUERIES = 12  # issue 17
DASHBOARD_TARGETS = (
    f"≤ {DASHBOARD_MAX_QUERIES} queries, the same at both sizes",
    f"p50 growth ≤ {MAX_GROWTH}×",
    "reads only the monthly rollups (0 queries on registrations or memberships)",
)


def dashboard_targets(targets, dashboard: dict) -> None:
    """The engagement dashboard at the large size against the small one (issue 17): the same
    queries, at most 12; p50 growth to the floor beside it; no query on the raw rows. The
    verdicts are kept on the large entry (`verdicts`) for the table."""
    small = dashboard.get("small", {}).get("dashboard", {})
    large = dashboard.get("large", {}).get("dashboard", {})
    label = large.get("label") or small.get("label") or "Engagement dashboard"
    if not (small.get("measured") and large.get("measured")):
        reason = large.get("reason") or small.get("reason") or NA
        for name in DASHBOARD_TARGETS:
            _target(targets, name, label, reason, None)
        return
    before, after = small["queries"], large["queries"]
    small_ratio = small["wrk"]["p50_ms"] / small["floor_beside"]["p50_ms"]
    large_ratio = large["wrk"]["p50_ms"] / large["floor_beside"]["p50_ms"]
    growth = large_ratio / small_ratio
    large["p50_growth"] = round(growth, 3)
    large["p50_growth_raw"] = round(large["wrk"]["p50_ms"] / small["wrk"]["p50_ms"], 3)
    raw = len(small.get("raw_reads", [])) + len(large.get("raw_reads", []))
    for entry in (small, large):
        entry["rps_ratio"] = round(
            entry["wrk"]["requests_per_second"] / entry["floor_beside"]["requests_per_second"], 3
        )
        entry["p99_ratio"] = round(entry["wrk"]["p99_ms"] / entry["floor_beside"]["p99_ms"], 3)
    large["verdicts"] = [
        _target(
            targets,
            DASHBOARD_TARGETS[0],
            label,
            f"{before} / {after}",
            before == after and after <= DASHBOARD_MAX_QUERIES,
        ),
        _target(targets, DASHBOARD_TARGETS[1], label, f"{growth:.2f}×", growth <= MAX_GROWTH),
        _target(targets, DASHBOARD_TARGETS[2], label, f"{raw} such queries", raw == 0),
    ]


def dashboard_table(results: dict) -> list[str]:
    dashboard = results.get("dashboard")
    if not dashboard:
        return ["Not measured in this run."]
    small = dashboard["small"].get("dashboard", {})
    large = dashboard["large"].get("dashboard", {})
    if not (small.get("measured") and large.get("measured")):
        return [f"{NA}: {large.get('reason') or small.get('reason') or ''}"]
    sizes = results["dataset"]["sizes"]
    verdicts = [_holds(value) for value in large["verdicts"]]
    lines = [
        _row(
            "registrations",
            "req/s (floor beside it)",
            "p50 ms (floor)",
            "p99 ms (floor)",
            f"queries (≤ {DASHBOARD_MAX_QUERIES}, same)",
            "queries on registrations or memberships",
            "rollup rewritten first (rows, seconds)",
        ),
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, entry in ((sizes["small_registrations"], small), (sizes["registrations"], large)):
        wrk, floor, rollup = entry["wrk"], entry["floor_beside"], entry["rollup"]
        bad = wrk["bad_responses"] + wrk["socket_errors"]
        lines.append(
            _row(
                f"{count:,}",
                f"{wrk['requests_per_second']:.0f} ({floor['requests_per_second']:.0f})"
                + (f", {bad} errors" if bad else ""),
                f"{wrk['p50_ms']:.1f} ({floor['p50_ms']:.1f})",
                f"{wrk['p99_ms']:.1f} ({floor['p99_ms']:.1f})",
                entry["queries"],
                len(entry.get("raw_reads", [])),
                f"{rollup['attendance']:,} attendance + {rollup['membership']:,} membership rows, "
                f"{rollup['seconds']} s",
            )
        )
    return [
        *lines,
        "",
        _row("target", "measured", "holds"),
        "|---|---:|---|",
        _row(DASHBOARD_TARGETS[0], f"{small['queries']} / {large['queries']}", verdicts[0]),
        _row(
            DASHBOARD_TARGETS[1],
            f"{large['p50_growth']:.2f}× to the floor ({large['p50_growth_raw']:.2f}× raw)",
            verdicts[1],
        ),
        _row(
            DASHBOARD_TARGETS[2],
            str(len(small.get("raw_reads", [])) + len(large.get("raw_reads", []))),
            verdicts[2],
        ),
    ]
