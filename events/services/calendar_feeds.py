import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from loti_portal import versions

from ..models import CalendarFeed


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """Give a person a new secret calendar address; any previous address stops working."""
    existing = CalendarFeed.objects.select_for_update().filter(user=user).first()
    token = secrets.token_urlsafe(32)
    versions.person_changed(user_id=user.pk)  # "Your events" shows the address
    if existing is None:
        feed = CalendarFeed.objects.create(user=user, token=token)
    else:
        feed = existing
        feed.token = token
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    audit_record(
        actor=user,
        action="events.calendar_feed.regenerated" if existing else "events.calendar_feed.created",
        target=feed,
    )
    return feed
