"""Who may see an event: the one rule every page, list, filter, count, feed, reminder and email
follows. Importable from events.selectors as well."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from loti_portal.sql import table, value

from .models import Event, Invitation, Registration

# Who may see an event, the one rule every page, list, filter, count, feed, reminder and email
# follows. It is written once, as SQL (visible_condition), so that pages reading rows with their
# own SQL and pages reading through the ORM (events_visible_to, which wraps the same text) ask
# the database the same question. event_visible_to (may they see this one) and users_who_may_see
# (which of some people may see this one) say the same thing, from either side;
# tests/trust/test_visibility.py checks that they agree for every kind of person.
VISIBLE_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


def visible_condition(*, user, alias: str) -> tuple[str, list] | None:
    """The rule as an SQL condition on the events table named `alias` in the caller's query, with
    its parameters; None when the person may see every event (staff). Published and cancelled
    events; invitation-only ones only for the people invited (or already registered)."""
    if user.is_authenticated and user.is_staff:
        return None
    statuses = ", ".join(["%s"] * len(VISIBLE_STATUSES))
    shown = f"{alias}.status IN ({statuses})"
    if not user.is_authenticated:
        return (f"{shown} AND {alias}.audience <> %s", [*VISIBLE_STATUSES, Event.Audience.INVITATION])
    # `id IN (SELECT event_id ...)` rather than a correlated EXISTS: planned as well, and the same
    # text whatever query it sits in. Invitations are stored in lower case (Invitation.save).
    # Names come from the models and the caller's alias, values are parameters.
    invited_sql, invited_params = invited_condition(user=user, alias=alias)
    return (
        f"{shown} AND ({alias}.audience <> %s"  # noqa: S608
        f" OR {invited_sql}"
        f" OR {alias}.id IN (SELECT event_id FROM {table(Registration)} WHERE user_id = %s))",
        [*VISIBLE_STATUSES, Event.Audience.INVITATION, *invited_params, user.pk],
    )


def invited_condition(*, user, alias: str) -> tuple[str, list]:
    """Events this signed-in person's email address is invited to (by an Invitation), as an SQL
    condition on the events table named `alias`, with its parameters (see `invited`)."""
    return (
        f"{alias}.id IN (SELECT event_id FROM {table(Invitation)} WHERE LOWER(email) = %s)",  # noqa: S608
        [user.email.strip().lower()],
    )


def events_visible_to(*, user) -> QuerySet[Event]:
    """The events a person may see (visible_condition), as a queryset to filter further."""
    events = Event.objects.all()
    condition = visible_condition(user=user, alias="visible_event")
    if condition is None:
        return events
    sql, params = condition
    visible = f"SELECT visible_event.id FROM {table(Event)} visible_event WHERE {sql}"  # noqa: S608
    return events.filter(pk__in=RawSQL(visible, params))  # noqa: S611 (the rule's own text)


def invited(user) -> Q:
    """Events this person's email address is invited to (by an Invitation)."""
    return Q(pk__in=Invitation.objects.filter(email__iexact=user.email).values("event_id"))


def registered(user) -> Q:
    """Events this person has a registration for, whatever its status."""
    return Q(pk__in=Registration.objects.filter(user=user).values("event_id"))


def event_visible_to(*, user, event: Event) -> bool:
    """May this person see this event (visible_condition for one event). No query unless the
    event is invitation-only and the person is signed in and not staff."""
    if user.is_authenticated and user.is_staff:
        return True
    if event.status not in VISIBLE_STATUSES:
        return False
    if event.audience != Event.Audience.INVITATION:
        return True
    if not user.is_authenticated:
        return False
    return events_visible_to(user=user).filter(pk=event.pk).exists()


def users_who_may_see(*, event: Event, users: QuerySet[User]) -> QuerySet[User]:
    """Those of `users` who may see the event (visible_condition, from the event's side): for the
    recipients of a reminder or any other email about it."""
    if event.status not in VISIBLE_STATUSES:
        return users.filter(is_staff=True)
    if event.audience != Event.Audience.INVITATION:
        return users
    invited = Invitation.objects.filter(event=event, email__iexact=OuterRef("email"))
    registered = Registration.objects.filter(event=event, user=OuterRef("pk"))
    return users.filter(Q(is_staff=True) | Exists(invited) | Exists(registered))


def is_invited(*, user, event_id: int) -> bool:
    """Is this signed-in person's email address invited to the event (an Invitation; stored in
    lower case, compared as visible_condition compares it). One query, with our own SQL."""
    found = value(
        f"SELECT 1 FROM {table(Invitation)} WHERE event_id = %s AND LOWER(email) = %s",  # noqa: S608
        [event_id, user.email.strip().lower()],
    )
    return found is not None
