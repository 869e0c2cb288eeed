"""What the fan-out benchmarks share: the SMTP sink's raw rate for ready-made messages, and
timing N messages through a real Celery worker to the sink while reading its memory.

The raw rate is Django's `send_messages` of the messages on one reused SMTP connection. Through
the worker, the clock starts just before `start()` (what hands the emails out) and stops when the
sink holds N messages; the worker's resident memory (with its pool) is read from /proc at the
start, a quarter, half and all of the way.
"""

import time
from collections.abc import Callable
from pathlib import Path

from django.core.mail import EmailMessage, get_connection
from django.test.utils import override_settings

from .server import CeleryWorker, rss_bytes
from .smtp_sink import LOOPBACK, SinkProcess

MEMORY_FLAT_GROWTH = 0.10  # from a quarter of the way to the end
SETTLE_SECONDS = 1.0  # after the last expected message: anything more is a duplicate
MIN_RATE_WAITED_FOR = 0.10  # of the sink's raw rate: a fifth of the fan-out targets' 50%

SMTP_SETTINGS = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": LOOPBACK,
    "EMAIL_HOST_USER": "",
    "EMAIL_HOST_PASSWORD": "",
    "EMAIL_USE_TLS": False,
    "EMAIL_USE_SSL": False,
}


def sink_raw_rate(sink: SinkProcess, messages: list[EmailMessage], *, timeout: float = 120) -> dict:
    """Messages per second the sink takes from Django's SMTP backend on one reused connection."""
    connection = get_connection(
        SMTP_SETTINGS["EMAIL_BACKEND"],
        host=LOOPBACK,
        port=sink.port,
        username="",
        password="",
        use_tls=False,
        use_ssl=False,
        timeout=30,
    )
    count = len(messages)
    sink.reset()
    started = time.perf_counter()
    sent = connection.send_messages(messages)
    arrived = sink.wait_for(count, timeout=timeout)
    seconds = time.perf_counter() - started
    return {
        "messages": count,
        "sent": sent,
        "received": sink.received(),
        "complete": arrived,
        "seconds": round(seconds, 2),
        "messages_per_second": round(count / seconds, 1),
    }


def waiting_limit(count: int, raw_rate: float | None) -> float:
    """How long to wait for `count` messages through the worker: until a tenth of the sink's
    raw rate (a fifth of the target) would have sent them, at least a minute; slower than that fails
    the target whatever the end, and the rate of what did arrive is still reported."""
    floor = MIN_RATE_WAITED_FOR * raw_rate if raw_rate else 20.0
    return max(60.0, count / floor)


def through_worker(
    sink: SinkProcess,
    count: int,
    *,
    start: Callable[[], object],
    worker_env: dict,
    log_path: Path,
    raw_rate: float | None = None,
) -> dict:
    """Start a real worker (prefork, two processes, as deployed), call `start()` with Django's
    SMTP backend pointed at the sink, and time until the sink holds `count` messages (waiting at
    most `waiting_limit`). Returns the timing and memory figures, the seconds the worker took to
    start and to stop, and what `start()` returned as "started"."""
    from loti_portal.celery import app
    from outbox.models import Email

    # What earlier steps left owed (the background registrations' confirmations, their tasks
    # never taken) must not reach the sink: neither their queued tasks nor their rows, which the
    # fan-out's own hand-out would otherwise send first, ahead of what is measured.
    app.control.purge()
    Email.objects.filter(state=Email.State.PENDING).update(
        state=Email.State.SKIPPED, last_error="Not sent: owed before a benchmark's fan-out."
    )
    booted = time.perf_counter()
    worker = CeleryWorker({**worker_env, "EMAIL_URL": sink.url}, concurrency=2, log_path=log_path).start()
    worker_start_seconds = time.perf_counter() - booted
    try:
        memory = {"start": rss_bytes(worker.pid)}
        sink.reset()
        timeout = waiting_limit(count, raw_rate)
        marks = {"quarter": count // 4, "half": count // 2}
        started = time.perf_counter()
        with override_settings(**SMTP_SETTINGS, EMAIL_PORT=sink.port):
            returned = start()
        start_seconds = time.perf_counter() - started
        finished = None
        while time.perf_counter() - started < timeout:
            received = sink.received()
            for name, mark in list(marks.items()):
                if received >= mark:
                    memory[name] = rss_bytes(worker.pid)
                    del marks[name]
            if received >= count:
                finished = time.perf_counter()
                memory["end"] = rss_bytes(worker.pid)
                break
            time.sleep(0.02)
        seconds = (finished or time.perf_counter()) - started
        time.sleep(SETTLE_SECONDS)
        received = sink.received()
    finally:
        stopping = time.perf_counter()
        worker.stop()
        worker_stop_seconds = time.perf_counter() - stopping

    growth = None
    if "quarter" in memory and "end" in memory:
        growth = memory["end"] / memory["quarter"] - 1
    return {
        "started": returned,
        "received": received,
        "complete": finished is not None,
        "start_seconds": round(start_seconds, 2),
        "seconds": round(seconds, 2),
        "messages_per_second": round(min(received, count) / seconds, 1),
        "worker_rss_mib": {name: round(value / 2**20, 1) for name, value in memory.items()},
        "memory_growth_quarter_to_end": None if growth is None else round(growth, 3),
        "memory_flat": growth is not None and growth <= MEMORY_FLAT_GROWTH,
        "timeout_seconds": round(timeout, 1),
        "worker_start_seconds": round(worker_start_seconds, 2),
        "worker_stop_seconds": round(worker_stop_seconds, 2),
    }
