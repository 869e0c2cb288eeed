"""Demo newsletter: a draft issue, one sent, and a few subscribers (one refused by the mail
server). Safe to run twice."""

from datetime import timedelta

from django.utils import timezone

from .models import Issue, Subscriber, UnsubscribedAddress
from .tokens import email_hash

DRAFT_BODY = """## What the networks learnt this month

The Data Practitioners network compared how boroughs match records for temporary accommodation.

* Slides from the discovery findings session are on the network's page
* The careers day is open for registration
"""
SENT_BODY = """## Welcome to the LOTI newsletter

Once a month we share news from the networks and the sessions coming up.
"""


def load(stdout=None) -> None:
    now = timezone.now()
    Issue.objects.get_or_create(subject="December at LOTI", defaults={"body": DRAFT_BODY})
    Issue.objects.get_or_create(
        subject="November at LOTI",
        defaults={
            "body": SENT_BODY,
            "status": Issue.Status.SENT,
            "send_at": now - timedelta(days=20),
            "sent_at": now - timedelta(days=20),
            "recipients": 2,
        },
    )
    for email, name, status, reason in [
        ("rosa.lima@example.org", "Rosa Lima", Subscriber.Status.SUBSCRIBED, ""),
        ("amara.okafor@camden.gov.uk", "Amara Okafor", Subscriber.Status.SUBSCRIBED, ""),
        ("new.reader@example.org", "", Subscriber.Status.PENDING, ""),
        ("left.the.council@example.org", "", Subscriber.Status.SUPPRESSED, "550 5.1.1 No such mailbox"),
    ]:
        Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "status": status,
                "consented_at": now,
                "confirmed_at": None if status == Subscriber.Status.PENDING else now,
                "suppressed_at": now if reason else None,
                "suppressed_reason": reason,
            },
        )
    UnsubscribedAddress.objects.get_or_create(email_hash=email_hash("moved.on@example.org"))
    if stdout:
        stdout.write(f"Newsletter issues: {Issue.objects.count()}; subscribers: {Subscriber.objects.count()}")
