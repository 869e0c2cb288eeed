"""A person's rights over their data (UK GDPR): a copy of everything held about them, deleting
their account, and deleting answers to registration questions once they are no longer needed.

`personal_data_export` only reads; `account_delete` and `registration_answers_expire` are the
services that change data.
"""

from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Model, Prefetch, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from events.emails import REGISTRATION_KINDS, REMINDER
from events.models import CalendarFeed, Event, EventMessage, Invitation, Question, Registration
from events.services import registration_cancel
from followup.privacy import followup_data_delete, followup_data_export
from networks.models import Membership, NetworkInvitation
from networks.services import membership_leave
from outbox.kinds import kind_label
from outbox.models import Email

from .models import AuditEntry, OrganisationRequest, User
from .services import audit_record

DELETED = "Deleted account"

APPLICATION_QUESTIONS = {
    "job_title": "Your job title",
    "organisation": "Your organisation",
    "reason": "Why you wanted to join",
    "seniority": "How senior your role is",
}

# Keys of audit entries' data that hold what a person wrote or who they are.
_PERSONAL_AUDIT_KEYS = {"answers", "email", "reason", "requested_organisation_name"}


# --- download my data -----------------------------------------------------------------------


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the portal holds about a person, for them to read or download.

    Datetimes are aware (shown or serialised in London time by the caller). A fixed number of
    queries, however many memberships, registrations and emails the person has.
    """
    person = User.objects.select_related("organisation").get(pk=user.pk)
    organisation = person.organisation
    feed = CalendarFeed.objects.filter(user=person).first()
    return {
        "exported_at": timezone.now(),
        "profile": {
            "full_name": person.full_name,
            "email": person.email,
            "job_title": person.job_title,
            "show_name_to_attendees": person.show_name_to_attendees,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=person).order_by("-primary", "email")
            ],
        },
        "organisation": {
            "name": organisation.name,
            "kind": organisation.get_kind_display(),
            "loti_membership": organisation.get_membership_status_display(),
        }
        if organisation
        else None,
        "requested_organisation_name": person.requested_organisation_name,
        "memberships": _memberships(person),
        "registrations": _registrations(person),
        **_emails(person),
        "calendar_feed": {"created_at": feed.created_at} if feed else None,
        **_newsletter(person),
        **followup_data_export(user=person),
    }


def _newsletter(person: User) -> dict[str, Any]:
    """Their newsletter subscription (by account or address) and the digests they asked for."""
    from newsletter.privacy import newsletter_data_export

    return newsletter_data_export(user=person)


def _emails(person: User) -> dict[str, list[dict]]:
    """The reminders sent to the person, and the emails about their registrations."""
    from events.emails import EVENT_CANCELLED, EVENT_CHANGED, MESSAGE

    rows = list(
        Email.objects.filter(
            user=person,
            about_type="events.event",
            kind__in=[REMINDER, *REGISTRATION_KINDS, EVENT_CHANGED, EVENT_CANCELLED, MESSAGE],
        ).order_by("created_at", "id")
    )
    events = Event.objects.in_bulk({row.about_id for row in rows})
    messages = EventMessage.objects.in_bulk(
        {row.data.get("message_id") for row in rows if row.kind == MESSAGE}
    )
    reminders, notifications = [], []
    for row in rows:
        event = events.get(row.about_id)
        if event is None:
            continue
        if row.kind == REMINDER:
            if row.state == Email.State.SENT:
                reminders.append({"event": event.title, "event_starts": event.start, "sent_at": row.sent_at})
            continue
        message = messages.get(row.data.get("message_id"))
        notifications.append(
            {
                "event": event.title,
                "kind": kind_label(row.kind),
                "subject": message.subject if message else "",
                "status": row.get_state_display(),
                "created_at": row.created_at,
                "sent_at": row.sent_at,
            }
        )
    reminders.sort(key=lambda reminder: (reminder["sent_at"] is None, reminder["sent_at"]))
    return {"reminders_sent": reminders, "notifications": notifications}


def _memberships(person: User) -> list[dict]:
    memberships = Membership.objects.filter(user=person).select_related("network").order_by("network__name")
    return [
        {
            "network": membership.network.name,
            "status": membership.get_status_display(),
            "role": membership.get_role_display(),
            "meeting_reminders": membership.reminders_enabled,
            "applied_at": membership.applied_at,
            "joined_at": membership.joined_at,
            "left_at": membership.left_at,
            "decision_reason": membership.decision_reason,
            "application_answers": [
                {
                    "question": APPLICATION_QUESTIONS.get(key, key),
                    "answer": membership.seniority_label if key == "seniority" else str(value),
                }
                for key, value in membership.answers.items()
            ],
        }
        for membership in memberships
    ]


def _registrations(person: User) -> list[dict]:
    registrations = (
        Registration.objects.filter(user=person)
        .select_related("event")
        .prefetch_related(Prefetch("event__questions", queryset=Question.objects.order_by("position", "id")))
        .order_by("event__start", "id")
    )
    result = []
    for registration in registrations:
        questions = {str(question.pk): question for question in registration.event.questions.all()}
        answers = [
            {
                "question": questions[key].text if key in questions else "A question no longer asked",
                "answer": ", ".join(value) if isinstance(value, list) else str(value or ""),
            }
            for key, value in registration.answers.items()
        ]
        result.append(
            {
                "event": registration.event.title,
                "event_starts": registration.event.start,
                "status": registration.get_status_display(),
                "registered_at": registration.created_at,
                "cancelled_at": registration.cancelled_at,
                "answers": answers,
            }
        )
    return result


def personal_data_json(data: dict[str, Any]) -> dict[str, Any]:
    """The export with every datetime as ISO 8601 in London time, ready for json.dumps."""
    if isinstance(data, dict):
        return {key: personal_data_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [personal_data_json(value) for value in data]
    if isinstance(data, datetime):
        return timezone.localtime(data).isoformat()
    return data


# --- delete my account ----------------------------------------------------------------------


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete a person's account and every piece of personal data tied to it, in one transaction.

    - registrations for events that have not started are cancelled (through registration_cancel,
      so the waiting list is promoted and the people promoted are told);
    - memberships and pending applications are ended (networks.membership_leave, audited);
    - every registration is kept without its person or answers, so attendance counts stay right;
    - reminders, registration emails, invitations, email addresses, the calendar feed, newsletter
      subscriptions and digest choices are deleted;
    - audit and admin history keep what happened but lose the name and email address;
    - the user row is deleted, so nobody can sign in as them.

    The caller signs the person out. Raises nothing for a person with no activity.
    """
    person = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    addresses = EmailAddress.objects.filter(user=person).values_list("email", flat=True)
    emails = {person.email.lower()} | {address.lower() for address in addresses}

    upcoming = Registration.objects.filter(
        user=person,
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        event__start__gt=now,
    ).order_by("event__start", "id")
    for registration in upcoming:
        registration_cancel(registration=registration, acting_user=person)

    current = Membership.objects.filter(
        user=person, status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING]
    )
    for membership in current:
        membership_leave(membership=membership, acting_user=person)

    registrations = Registration.objects.filter(user=person)
    registration_ids = list(registrations.values_list("pk", flat=True))
    membership_ids = list(Membership.objects.filter(user=person).values_list("pk", flat=True))
    by_email = Q()
    for email in emails:
        by_email |= Q(email__iexact=email)
    network_invitations = NetworkInvitation.objects.filter(by_email | Q(accepted_by=person))
    network_invitation_ids = list(network_invitations.values_list("pk", flat=True))
    event_invitations = Invitation.objects.filter(by_email)
    event_invitation_ids = list(event_invitations.values_list("pk", flat=True))
    feed_ids = list(CalendarFeed.objects.filter(user=person).values_list("pk", flat=True))
    request_ids = list(OrganisationRequest.objects.filter(user=person).values_list("pk", flat=True))

    to_them = Q(user=person)
    for email in emails:
        to_them |= Q(to__iexact=email)
    Email.objects.filter(to_them).delete()
    _newsletter_delete(person=person, emails=emails)
    followup_data_delete(user=person)
    network_invitations.delete()
    event_invitations.delete()
    CalendarFeed.objects.filter(pk__in=feed_ids).delete()
    EmailAddress.objects.filter(user=person).delete()
    registrations.update(user=None, answers={}, updated_at=now)

    targets = {
        User: [person.pk],
        Registration: registration_ids,
        Membership: membership_ids,
        NetworkInvitation: network_invitation_ids,
        Invitation: event_invitation_ids,
        CalendarFeed: feed_ids,
        OrganisationRequest: request_ids,
    }
    _scrub_history(targets=targets, names=[person.full_name], emails=emails)

    person.full_name = DELETED  # so the entry below names nobody
    audit_record(actor=None, action="accounts.user.deleted", target=person)
    person.delete()


def _newsletter_delete(*, person: User, emails: set[str]) -> None:
    from newsletter.privacy import newsletter_data_delete

    newsletter_data_delete(user=person, emails=emails)


def _scrub_history(*, targets: dict[type[Model], list[int]], names: list[str], emails: set[str]) -> None:
    """Remove a person's name and email address from the audit log and admin history, keeping
    the record of what happened."""

    def scrub(text: str) -> str:
        for value in [*names, *emails]:
            if value:
                text = _replace_ignoring_case(text, value, DELETED)
        return text

    about_them = Q()
    for model, ids in targets.items():
        if ids:
            about_them |= Q(target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in ids])
    # Entries about something else that name them: an invitation to an event keeps the invitee's
    # address in its data, a roster change their name in its description.
    mentions = Q()
    for value in [*emails, *(name for name in names if len(name) >= 5)]:
        mentions |= Q(target_repr__icontains=value) | Q(data_text__icontains=value)
    entries = (
        AuditEntry.objects.annotate(data_text=Cast("data", TextField())).filter(about_them | mentions)
        if about_them or mentions
        else []
    )
    for entry in entries:
        entry.target_repr = scrub(entry.target_repr)[:300]
        entry.data = _scrub_data(entry.data, scrub)
        entry.save(update_fields=["target_repr", "data"])

    content_types = ContentType.objects.get_for_models(*targets)
    logged = Q()
    for model, ids in targets.items():
        if ids:
            logged |= Q(content_type=content_types[model], object_id__in=[str(pk) for pk in ids])
    for log_entry in LogEntry.objects.filter(logged) if logged else []:
        log_entry.object_repr = scrub(log_entry.object_repr)[:200]
        log_entry.save(update_fields=["object_repr"])


def _scrub_data(data: Any, scrub) -> Any:
    if isinstance(data, dict):
        kept = {key: value for key, value in data.items() if key not in _PERSONAL_AUDIT_KEYS}
        return {key: _scrub_data(value, scrub) for key, value in kept.items()}
    if isinstance(data, list):
        return [_scrub_data(value, scrub) for value in data]
    if isinstance(data, str):
        return scrub(data)
    return data


def _replace_ignoring_case(text: str, old: str, new: str) -> str:
    lowered, target = text.lower(), old.lower()
    if len(lowered) != len(text):  # a character whose lower case has another length: exact only
        return text.replace(old, new)
    parts, start = [], 0
    while (found := lowered.find(target, start)) != -1:
        parts.append(text[start:found])
        parts.append(new)
        start = found + len(old)
    parts.append(text[start:])
    return "".join(parts)


# --- answers kept only as long as needed ----------------------------------------------------


@transaction.atomic
def registration_answers_expire(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete the answers to registration questions, and guests' names, email addresses and
    access needs, for events that ended at least `days` (default settings.ANSWER_RETENTION_DAYS)
    ago. Idempotent; returns how many registrations lost data, and audits each event once."""
    now = now or timezone.now()
    days = settings.ANSWER_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    expired = Registration.objects.filter(event__end__lte=cutoff).filter(
        ~Q(answers={}) | ~Q(guest_email="") | ~Q(guest_name="") | ~Q(access_needs="")
    )
    per_event = expired.order_by().values("event_id").annotate(count=Count("pk"))
    counts = dict(per_event.values_list("event_id", "count"))
    # The emails written to guests (no account) keep their address, and a confirmation link
    # carries what the guest filled in: both go with the rest. "-" is not an address anyone has.
    Email.objects.filter(
        about_type="events.event",
        about_id__in=Event.objects.filter(end__lte=cutoff).values("pk"),
        user__isnull=True,
    ).exclude(to="-").update(to="-", data={})
    if not counts:
        return 0
    updated = Registration.objects.filter(pk__in=expired.values("pk")).update(
        answers={}, guest_name="", guest_email="", access_needs="", updated_at=now
    )
    for event in Event.objects.filter(pk__in=counts):
        audit_record(
            actor=None,
            action="events.event.answers_deleted",
            target=event,
            data={"registrations": counts[event.pk], "retention_days": days},
        )
    return updated
