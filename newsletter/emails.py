"""The newsletter's emails, written at send time from current data (see outbox.kinds): a
confirmation or an issue owed to someone who has since unsubscribed is not sent."""

from datetime import datetime

from django.template.loader import render_to_string
from django.urls import reverse

from loti_portal.emails import email_build
from loti_portal.markdown import render_markdown
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email

CONFIRM = "newsletter.confirm"
ALREADY_SUBSCRIBED = "newsletter.already_subscribed"
ISSUE = "newsletter.issue"
TEST = "newsletter.test"
DIGEST = "newsletter.digest"


def _one_click(url: str) -> dict[str, str]:
    """RFC 8058 headers: mail clients offer an unsubscribe button that POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@email_kind(CONFIRM, "Newsletter: confirm your subscription")
def _confirm_email(email: Email, shared: dict):
    from .models import Subscriber
    from .tokens import confirm_token

    subscriber = Subscriber.objects.filter(pk=email.data.get("subscriber_id"), email=email.to).first()
    if subscriber is None or subscriber.status == Subscriber.Status.SUBSCRIBED:
        return None
    token = confirm_token(subscriber_id=subscriber.pk, email=subscriber.email)
    return email_build(
        template="newsletter-confirm",
        to=[subscriber.email],
        context={
            "subscriber": subscriber,
            "confirm_url": absolute_url(reverse("newsletter:subscriber-confirm", args=[token])),
        },
    )


@email_kind(ALREADY_SUBSCRIBED, "Newsletter: already subscribed")
def _already_email(email: Email, shared: dict):
    from .models import Subscriber
    from .tokens import unsubscribe_token

    subscriber = Subscriber.objects.filter(pk=email.data.get("subscriber_id"), email=email.to).first()
    if subscriber is None or subscriber.status != Subscriber.Status.SUBSCRIBED:
        return None
    token = unsubscribe_token(subscriber_id=subscriber.pk, email=subscriber.email)
    return email_build(
        template="newsletter-already-subscribed",
        to=[subscriber.email],
        context={
            "subscriber": subscriber,
            "unsubscribe_url": absolute_url(reverse("newsletter:unsubscribe", args=[token])),
        },
    )


def issue_context(*, issue, coming_up) -> dict:
    return {
        "issue": issue,
        "body_html": render_markdown(issue.body),
        "coming_up": [
            {"event": event, "url": absolute_url(reverse("events:event-detail", args=[event.slug]))}
            for event in coming_up
        ],
        "archive_url": absolute_url(reverse("newsletter:newsletter")),
    }


def issue_email_context(*, issue, coming_up) -> dict:
    """issue_context, with the parts every subscriber's copy shares already rendered (the body
    and "Coming up", in HTML and in plain text): rendered once per chunk, not once per email."""
    context = issue_context(issue=issue, coming_up=coming_up)
    return {
        **context,
        "content_html": render_to_string("newsletter/includes/issue_content.html", context),
        "content_text": render_to_string("emails/newsletter-issue-content.txt", context),
    }


def _chunk_issues(shared: dict) -> dict:
    """The issues and subscribers of a chunk of rows, read once for the whole chunk."""
    if "newsletter" not in shared:
        from .models import Issue, Subscriber
        from .selectors import issue_coming_up

        rows = [row for row in shared.get("chunk", []) if row.kind in (ISSUE, TEST)]
        issues = Issue.objects.in_bulk({row.data.get("issue_id") for row in rows})
        subscriber_ids = {row.about_id for row in rows if row.kind == ISSUE}
        shared["newsletter"] = {
            "issues": issues,
            # What every subscriber's copy shares, rendered once per chunk.
            "contexts": {
                pk: issue_email_context(issue=issue, coming_up=issue_coming_up(issue=issue))
                for pk, issue in issues.items()
            },
            "subscribers": Subscriber.objects.in_bulk(subscriber_ids),
        }
    return shared["newsletter"]


@email_kind(ISSUE, "Newsletter")
def _issue_email(email: Email, shared: dict):
    from .models import Subscriber
    from .tokens import unsubscribe_token

    chunk = _chunk_issues(shared)
    issue = chunk["issues"].get(email.data.get("issue_id"))
    subscriber = chunk["subscribers"].get(email.about_id)
    if issue is None or subscriber is None or subscriber.status != Subscriber.Status.SUBSCRIBED:
        return None
    token = unsubscribe_token(subscriber_id=subscriber.pk, email=subscriber.email)
    unsubscribe_url = absolute_url(reverse("newsletter:unsubscribe", args=[token]))
    context = chunk["contexts"][issue.pk]
    return email_build(
        template="newsletter-issue",
        to=[subscriber.email],
        context={**context, "subscriber": subscriber, "unsubscribe_url": unsubscribe_url},
        headers={**_one_click(unsubscribe_url), "X-Entity-Ref-ID": f"newsletter-{email.pk}"},
    )


@email_kind(TEST, "Newsletter: test send to staff")
def _test_email(email: Email, shared: dict):
    chunk = _chunk_issues(shared)
    issue = chunk["issues"].get(email.data.get("issue_id"))
    if issue is None:
        return None
    context = chunk["contexts"][issue.pk]
    return email_build(
        template="newsletter-issue",
        to=[email.to],
        context={**context, "is_test": True, "unsubscribe_url": context["archive_url"]},
    )


@email_kind(DIGEST, "Weekly digest of new sessions")
def _digest_email(email: Email, shared: dict):
    from .models import NetworkDigest
    from .selectors import digest_sessions_for
    from .tokens import digest_off_token

    person = email.user
    if person is None or not person.is_active:
        return None
    since = datetime.fromisoformat(email.data["since"])
    until = datetime.fromisoformat(email.data["until"])
    sessions = digest_sessions_for(user=person, since=since, until=until)
    if not sessions:
        return None
    network_ids = sorted(set(NetworkDigest.objects.filter(user=person).values_list("network_id", flat=True)))
    off_url = absolute_url(
        reverse("newsletter:digest-off", args=[digest_off_token(user_id=person.pk, network_ids=network_ids)])
    )
    by_network: dict = {}
    for event in sessions:
        by_network.setdefault(event.network, []).append(
            {
                "event": event,
                "url": absolute_url(reverse("events:event-detail", args=[event.slug])),
                "register_url": absolute_url(reverse("events:event-register", args=[event.slug])),
            }
        )
    return email_build(
        template="newsletter-digest",
        to=[person.email],
        context={
            "person": person,
            "networks": [{"network": network, "sessions": items} for network, items in by_network.items()],
            "count": len(sessions),
            "off_url": off_url,
            "settings_url": absolute_url(reverse("events:notification-settings")),
        },
        headers={**_one_click(off_url), "X-Entity-Ref-ID": f"digest-{email.pk}"},
    )
