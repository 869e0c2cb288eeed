"""Newsletter fan-out: one issue to N subscribers through the real Celery worker to the SMTP
sink on loopback, against the sink's raw rate for newsletter-sized messages measured in the same
run.

The raw rate is Django's `send_messages` of N ready-made messages like an issue (plain text and
HTML, List-Unsubscribe headers) on one reused SMTP connection. The fan-out is N confirmed
subscribers, an issue scheduled now, `newsletter.services.issue_send` (one outbox row per
subscriber, handed to the worker in chunks once it commits) and a real worker (prefork, two
processes, as deployed); it is timed from the send until the sink holds N messages. The
worker's resident memory is read from /proc at a quarter, half and all of the way.
"""

import time
from pathlib import Path

from django.core.mail import EmailMultiAlternatives, get_connection
from django.test.utils import override_settings
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from newsletter.services import issue_send
from outbox.models import Email

from .dataset import insert_rows
from .server import CeleryWorker, rss_bytes
from .smtp_sink import LOOPBACK, SinkProcess

MEMORY_FLAT_GROWTH = 0.10  # from a quarter of the way to the end

BODY = (
    "## What the networks learnt this month\n\n"
    "Boroughs shared **what works** in data sharing for temporary accommodation, and the Data "
    "Scientists network compared forecasting models.\n\n"
    "* The careers day is open for registration\n* A new training course on data ethics\n\n"
    "[Read more on the portal](https://portal.loti.example/)\n"
)

_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": LOOPBACK,
    "EMAIL_HOST_USER": "",
    "EMAIL_HOST_PASSWORD": "",
    "EMAIL_USE_TLS": False,
    "EMAIL_USE_SSL": False,
}


def _issue_like(number: int) -> EmailMultiAlternatives:
    unsubscribe = f"http://127.0.0.1/newsletter/unsubscribe/token-{number}/"
    message = EmailMultiAlternatives(
        subject="November at LOTI",
        body=BODY + f"\nUnsubscribe: {unsubscribe}\n",
        from_email="LOTI Network Portal <portal@loti.example>",
        to=[f"subscriber.{number}@example.org"],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        '<!DOCTYPE html><html lang="en-GB"><body><h1>November at LOTI</h1><p>Boroughs shared '
        "<strong>what works</strong> in data sharing.</p><ul><li>The careers day</li><li>Data "
        f'ethics</li></ul><p><a href="{unsubscribe}">Unsubscribe</a></p></body></html>',
        "text/html",
    )
    return message


def sink_raw_rate(sink: SinkProcess, count: int) -> dict:
    """Messages per second the sink takes from Django's SMTP backend on one reused connection."""
    messages = [_issue_like(number) for number in range(count)]
    connection = get_connection(
        _SMTP["EMAIL_BACKEND"], host=LOOPBACK, port=sink.port, username="", password="", timeout=30
    )
    sink.reset()
    started = time.perf_counter()
    connection.send_messages(messages)
    arrived = sink.wait_for(count, timeout=120)
    seconds = time.perf_counter() - started
    return {
        "messages": count,
        "complete": arrived,
        "seconds": round(seconds, 2),
        "messages_per_second": round(count / seconds, 1),
    }


def newsletter_fanout(sink: SinkProcess, count: int, *, worker_env: dict, log_path: Path) -> dict:
    """Send one issue to `count` subscribers through the real worker; rate and worker memory."""
    from loti_portal.celery import app

    stamp = time.monotonic_ns()
    now = timezone.now()
    insert_rows(
        Subscriber,
        (
            {
                "email": f"subscriber.{stamp}.{number}@example.org",
                "status": Subscriber.Status.SUBSCRIBED,
                "created_at": now,
                "consented_at": now,
                "confirmed_at": now,
            }
            for number in range(count)
        ),
    )
    issue = Issue.objects.create(
        subject="November at LOTI", body=BODY, status=Issue.Status.SCHEDULED, send_at=now, coming_up=True
    )
    raw = sink_raw_rate(sink, count)
    app.control.purge()  # tasks left queued by earlier steps must not reach the sink
    worker = CeleryWorker({**worker_env, "EMAIL_URL": sink.url}, concurrency=2, log_path=log_path).start()
    try:
        memory = {"start": rss_bytes(worker.pid)}
        sink.reset()
        timeout = max(60.0, count / 20)
        marks = {"quarter": count // 4, "half": count // 2}
        started = time.perf_counter()
        with override_settings(**_SMTP, EMAIL_PORT=sink.port):
            written = issue_send(issue_id=issue.pk)
        send_seconds = time.perf_counter() - started
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
        time.sleep(1.0)  # anything beyond `count` would be a duplicate
        received = sink.received()
    finally:
        worker.stop()

    growth = None
    if "quarter" in memory and "end" in memory:
        growth = memory["end"] / memory["quarter"] - 1
    rows = Email.objects.filter(kind="newsletter.issue", data__issue_id=issue.pk)
    rate = round(min(received, count) / seconds, 1)
    return {
        "available": True,
        "subscribers": count,
        "written": written,
        "sent_rows": rows.filter(state=Email.State.SENT).count(),
        "received": received,
        "complete": finished is not None,
        "send_call_seconds": round(send_seconds, 2),
        "seconds": round(seconds, 2),
        "messages_per_second": rate,
        "raw": raw,
        "ratio_to_raw": round(rate / raw["messages_per_second"], 3),
        "worker_rss_mib": {name: round(value / 2**20, 1) for name, value in memory.items()},
        "memory_growth_quarter_to_end": None if growth is None else round(growth, 3),
        "memory_flat": growth is not None and growth <= MEMORY_FLAT_GROWTH,
        "timeout_seconds": timeout,
    }
