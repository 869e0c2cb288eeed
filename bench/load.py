"""Load with wrk: fixed duration and concurrency, requests per second and latency percentiles.

Signed-in pages rotate through several session cookies (a wrk Lua script), as several people's
browsers would; a single shared session would make every request update the same row.
"""

import http.client
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    seconds: float
    bad_responses: int  # status other than 2xx or 3xx
    socket_errors: int

    def as_dict(self) -> dict:
        return asdict(self)


def combine(runs: list[WrkResult]) -> WrkResult:
    """Several runs of one URL as one: overall rate, counts summed, percentiles averaged."""
    seconds = sum(run.seconds for run in runs)
    requests = sum(run.requests for run in runs)

    def mean(name):
        return round(sum(getattr(run, name) for run in runs) / len(runs), 3)

    return WrkResult(
        requests_per_second=round(requests / seconds, 2),
        p50_ms=mean("p50_ms"),
        p75_ms=mean("p75_ms"),
        p90_ms=mean("p90_ms"),
        p99_ms=mean("p99_ms"),
        requests=requests,
        seconds=round(seconds, 2),
        bad_responses=sum(run.bad_responses for run in runs),
        socket_errors=sum(run.socket_errors for run in runs),
    )


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk); `make bench` installs it")
    return path


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"cannot read a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read `wrk --latency` output."""
    percentiles = {
        int(match.group(1)): _milliseconds(match.group(2))
        for match in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE)
    }
    totals = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", output, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if not (totals and rate and len(percentiles) == 4):
        raise ValueError(f"unexpected wrk output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        requests=int(totals.group(1)),
        seconds=_milliseconds(totals.group(2) + totals.group(3)) / 1000,
        bad_responses=int(bad.group(1)) if bad else 0,
        socket_errors=sum(int(value) for value in sockets.groups()) if sockets else 0,
    )


def _lua_rotating_cookies(cookies: list[str]) -> str:
    quoted = ", ".join('"' + cookie.replace("\\", "\\\\").replace('"', '\\"') + '"' for cookie in cookies)
    return (
        f"local cookies = {{{quoted}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format("GET", nil, {["Cookie"] = cookies[(n % #cookies) + 1]})\n'
        "end\n"
    )


def run_wrk(
    url: str, *, seconds: int, connections: int, threads: int = 2, cookies: list[str] | None = None
) -> WrkResult:
    """Load `url` for `seconds` with `connections` open connections; bounded by wrk's own timer."""
    command = [
        wrk_path(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
    ]
    with tempfile.TemporaryDirectory(prefix="loti-bench-wrk.") as folder:
        if cookies:
            script = Path(folder) / "cookies.lua"
            script.write_text(_lua_rotating_cookies(cookies))
            command.append(f"--script={script}")
        command.append(url)
        completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_wrk(completed.stdout)


def probe(url: str, *, cookie: str | None = None) -> tuple[int, int]:
    """One GET, as wrk will send it: (status, body bytes). Redirects are not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()
