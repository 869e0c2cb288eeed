"""A person's rights over their data (UK GDPR): a copy of everything held about them, and
deleting their account. This app sits above every app that holds personal data and composes their
parts; each app says what it holds in its own `<app>/privacy.py`, and no app imports this one.

`personal_data_export` only reads; `account_delete` changes data.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from accounts.privacy import (
    DELETED,
    account_emails,
    accounts_data_delete,
    accounts_data_export,
    history_scrub,
)
from accounts.services import audit_record
from certificates.privacy import certificates_data_delete, certificates_data_export
from events.privacy import events_data_delete, events_data_export
from followup.privacy import followup_data_delete, followup_data_export
from mentoring.privacy import mentoring_data_delete, mentoring_data_export
from networks.privacy import networks_data_delete, networks_data_export
from newsletter.privacy import newsletter_data_delete, newsletter_data_export
from outbox.privacy import outbox_data_delete


class Part(NamedTuple):
    """One app's part of a person's data.

    export(*, user) returns the sections it adds to "download my data" (a fixed number of queries,
    aware datetimes). delete(*, user, emails) runs inside the account deletion's transaction and
    may return {model: [ids]}: rows whose audit and admin history name the person, to be scrubbed.
    """

    export: Callable[..., dict[str, Any]] | None
    delete: Callable[..., dict[type[Model], list[int]] | None] | None


# Every app that holds personal data, one line each. The export shows them in this order and the
# deletion runs them in this order: the outbox stays last, so the emails that the others'
# cancellations write are deleted too.
PARTS: list[Part] = [
    Part(accounts_data_export, accounts_data_delete),
    Part(networks_data_export, networks_data_delete),
    Part(certificates_data_export, certificates_data_delete),
    Part(followup_data_export, followup_data_delete),
    Part(events_data_export, events_data_delete),
    Part(newsletter_data_export, newsletter_data_delete),
    Part(mentoring_data_export, mentoring_data_delete),
    Part(None, outbox_data_delete),
]


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the portal holds about a person, for them to read or download.

    Datetimes are aware (shown or serialised in London time by the caller). A fixed number of
    queries, however many memberships, registrations and emails the person has.
    """
    data: dict[str, Any] = {"exported_at": timezone.now()}
    for part in PARTS:
        if part.export is not None:
            data.update(part.export(user=user))
    return data


def personal_data_json(data: Any) -> Any:
    """The export with every datetime as ISO 8601 in London time, ready for json.dumps."""
    if isinstance(data, dict):
        return {key: personal_data_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [personal_data_json(value) for value in data]
    if isinstance(data, datetime):
        return timezone.localtime(data).isoformat()
    return data


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete a person's account and every piece of personal data tied to it, in one transaction.

    Each app's part (PARTS) deletes or anonymises what it holds: places at sessions that have not
    started are cancelled (so the waiting list moves up), memberships are ended, registrations are
    kept without their person or answers so attendance counts stay right, and invitations,
    emails, sign-in addresses, the calendar feed and newsletter choices are deleted. Audit and
    admin history keep what happened but lose the name and email addresses; then the user row is
    deleted, so nobody can sign in as them.

    The caller signs the person out. Raises nothing for a person with no activity.
    """
    person = User.objects.select_for_update().get(pk=user.pk)
    emails = account_emails(user=person)
    targets: dict[type[Model], list[int]] = {}
    for part in PARTS:
        if part.delete is not None:
            targets.update(part.delete(user=person, emails=emails) or {})
    history_scrub(targets=targets, names=[person.full_name], emails=emails)

    person.full_name = DELETED  # so the entry below names nobody
    audit_record(actor=None, action="accounts.user.deleted", target=person)
    person.delete()
