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

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from newsletter.services import issue_send
from outbox.models import Email

from . import sending
from .dataset import insert_rows
from .smtp_sink import SinkProcess

BODY = (
    "## What the networks learnt this month\n\n"
    "Boroughs shared **what works** in data sharing for temporary accommodation, and the Data "
    "Scientists network compared forecasting models.\n\n"
    "* The careers day is open for registration\n* A new training course on data ethics\n\n"
    "[Read more on the portal](https://portal.loti.example/)\n"
)


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


def newsletter_fanout(sink: SinkProcess, count: int, *, worker_env: dict, log_path: Path) -> dict:
    """Send one issue to `count` subscribers through the real worker; rate and worker memory."""
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
    raw = sending.sink_raw_rate(sink, [_issue_like(number) for number in range(count)])
    measured = sending.through_worker(
        sink,
        count,
        start=lambda: issue_send(issue_id=issue.pk),
        worker_env=worker_env,
        log_path=log_path,
        raw_rate=raw["messages_per_second"],
    )
    rows = Email.objects.filter(kind="newsletter.issue", data__issue_id=issue.pk)
    return {
        "available": True,
        "subscribers": count,
        "written": measured.pop("started"),
        "sent_rows": rows.filter(state=Email.State.SENT).count(),
        "send_call_seconds": measured.pop("start_seconds"),
        **measured,
        "raw": raw,
        "ratio_to_raw": round(measured["messages_per_second"] / raw["messages_per_second"], 3),
    }
