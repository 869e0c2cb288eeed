"""Reads for the newsletter: what the public may see, and what each member's digest lists."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from events.models import Event
from events.selectors import events_visible_to, registration_refusal_reason
from networks.models import Membership, Network

from .models import Issue, NetworkDigest, SessionPublished, Subscriber
from .tokens import email_hash


def public_sessions() -> QuerySet[Event]:
    """Sessions anyone may read about: what the visibility rule shows a signed-out visitor,
    published, and open to everyone or to anyone signed in (never members-only, borough-only or
    by invitation)."""
    return events_visible_to(user=AnonymousUser()).filter(
        status=Event.Status.PUBLISHED, audience__in=[Event.Audience.PUBLIC, Event.Audience.SIGNED_IN]
    )


def coming_up_events(
    *, limit: int, event_ids: list[int] | None = None, now: datetime | None = None
) -> list[Event]:
    """The next public sessions, soonest first; with `event_ids` (the list frozen when an issue
    was sent) only those of them that are still public. One query."""
    now = now or timezone.now()
    events = public_sessions().filter(start__gt=now)
    if event_ids is not None:
        events = events.filter(pk__in=event_ids)
    return list(events.select_related("network").order_by("start", "id")[:limit])


def issue_coming_up(*, issue: Issue) -> list[Event]:
    if not issue.coming_up:
        return []
    if issue.status == Issue.Status.SENT or issue.coming_up_event_ids:
        return coming_up_events(limit=issue.coming_up_count, event_ids=issue.coming_up_event_ids)
    return coming_up_events(limit=issue.coming_up_count)


def issue_archive() -> QuerySet[Issue]:
    """Sent issues, latest first: the public archive."""
    return Issue.objects.filter(status=Issue.Status.SENT).order_by("-sent_at", "-id")


def issue_get_public(*, pk: int) -> Issue:
    """A sent issue, for anyone; 404 for drafts and scheduled ones."""
    issue = issue_archive().filter(pk=pk).first()
    if issue is None:
        raise Http404("No such newsletter.")
    return issue


def subscriber_for_user(*, user) -> Subscriber | None:
    if not user.is_authenticated:
        return None
    return Subscriber.objects.filter(email=user.email.lower()).first()


def subscriber_get_by_token(*, subscriber_id: int, short_hash: str) -> Subscriber | None:
    """The subscriber a signed link names, if it still exists with the address it was signed for."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or email_hash(subscriber.email)[:16] != short_hash:
        return None
    return subscriber


def digest_networks_for(*, user) -> list[Network]:
    """The networks a member can ask digests of: those they are an active member of."""
    return list(
        Network.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE)
        .order_by("name")
        .distinct()
    )


def digest_network_ids(*, user) -> set[int]:
    return set(NetworkDigest.objects.filter(user=user).values_list("network_id", flat=True))


def digest_sessions_for(
    *, user, since: datetime, until: datetime, now: datetime | None = None
) -> list[Event]:
    """The sessions of the networks this person asked digests of, first published in [since,
    until), not started, that the visibility rule shows them and they may register for now."""
    now = now or timezone.now()
    networks = NetworkDigest.objects.filter(user=user).values("network_id")
    published = SessionPublished.objects.filter(first_seen_at__gte=since, first_seen_at__lt=until).values(
        "event_id"
    )
    events = (
        events_visible_to(user=user)
        .filter(status=Event.Status.PUBLISHED, network_id__in=networks, pk__in=published, start__gt=now)
        .select_related("network")
        .order_by("start", "id")
    )
    return [event for event in events if registration_refusal_reason(event=event, user=user, now=now) is None]
