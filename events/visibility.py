"""Who may see an event: the one rule every page, list, filter, count, feed, reminder and email
follows. Importable from events.selectors as well."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User

from .models import Event, Invitation, Registration


# The events a person is invited to or registered for, as subqueries that do not refer to the
# outer query (`id IN (SELECT event_id ...)`): the database plans them as well as EXISTS, and
# building and compiling them is far cheaper than a correlated subquery, on every list.
def _invited(user) -> Q:
    return Q(pk__in=Invitation.objects.filter(email__iexact=user.email).values("event_id"))


def _registered(user) -> Q:
    return Q(pk__in=Registration.objects.filter(user=user).values("event_id"))


# Who may see an event, the one rule every page, list, filter, count, feed, reminder and email
# follows: events_visible_to (the events a person may see), event_visible_to (may they see this
# one) and users_who_may_see (which of some people may see this one) say the same thing, from
# either side; tests/trust/test_visibility.py checks that they agree for every kind of person.
VISIBLE_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


def events_visible_to(*, user) -> QuerySet[Event]:
    """Published and cancelled events; invitation-only ones only for the people invited (or
    already registered); drafts only for staff."""
    events = Event.objects.all()
    if user.is_authenticated and user.is_staff:
        return events
    events = events.filter(status__in=VISIBLE_STATUSES)
    if not user.is_authenticated:
        return events.exclude(audience=Event.Audience.INVITATION)
    return events.filter(~Q(audience=Event.Audience.INVITATION) | _invited(user) | _registered(user))


def event_visible_to(*, user, event: Event) -> bool:
    """May this person see this event (events_visible_to for one event). No query unless the
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
    """Those of `users` who may see the event (events_visible_to, from the event's side): for the
    recipients of a reminder or any other email about it."""
    if event.status not in VISIBLE_STATUSES:
        return users.filter(is_staff=True)
    if event.audience != Event.Audience.INVITATION:
        return users
    invited = Invitation.objects.filter(event=event, email__iexact=OuterRef("email"))
    registered = Registration.objects.filter(event=event, user=OuterRef("pk"))
    return users.filter(Q(is_staff=True) | Exists(invited) | Exists(registered))
