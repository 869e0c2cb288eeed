"""Every mentoring email goes through mentoring_email_enqueue: one call per email, made inside the
transaction of the change that causes it.

The email is written at send time from current data (templates/emails/mentoring-<name>-*.txt/html,
`name` being the kind after "mentoring." with "_" as "-"), and skipped when it no longer applies
(for example a request that was answered before its email went). Exactly-once sending of the
periodic emails is decided by the service that calls this, with a claim (a conditional UPDATE on
the pairing); `dedup_key` names that claim so the single outbox can also enforce it.
"""

from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from loti_portal.emails import email_build
from loti_portal.utils import absolute_url

# The objects an email may name in context_ids, by name.
CONTEXT_MODELS = {
    "pairing": "mentoring.Pairing",
    "programme": "mentoring.MentoringProgramme",
    "request": "mentoring.MentoringRequest",
    "other": "accounts.User",
    "circle": "mentoring.PeerCircle",
}

# Each kind with when it still applies at send time (given the `about` object).
KINDS = {
    "mentoring.pairing_proposed": lambda pairing: pairing.state == "proposed",
    "mentoring.request_received": lambda pairing: pairing.state == "proposed",
    "mentoring.pairing_accepted": lambda pairing: pairing.state in ("accepted", "active"),
    "mentoring.pairing_declined": lambda pairing: True,
    "mentoring.request_moved_on": lambda pairing: True,
    "mentoring.request_exhausted": lambda request: request.state == "exhausted",
    "mentoring.fit_question": lambda pairing: pairing.state in ("accepted", "active"),
    "mentoring.not_a_good_fit": lambda pairing: True,
    "mentoring.check_in_reminder": lambda pairing: pairing.state in ("accepted", "active"),
    "mentoring.pairing_ended_early": lambda pairing: pairing.state == "ended_early",
    "mentoring.pairing_completed": lambda pairing: pairing.state == "completed",
    "mentoring.circle_joined": lambda membership: membership.left_at is None,
    "mentoring.circle_meeting_reminder": lambda meeting: meeting.start > timezone.now(),
}


def mentoring_email_enqueue(
    *, kind: str, user: User | None, about: Model, context_ids: dict, dedup_key: str | None
) -> None:
    """Owe one email of `kind` to `user` (None: the staff address) about `about`.

    Call it inside the change's transaction: the email is queued once that commits, and a broker or
    mail server failure never undoes the change (robust on_commit, retries in the task).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown mentoring email kind {kind!r}")
    from .tasks import mentoring_email_send  # the task module imports this one

    transaction.on_commit(
        partial(
            mentoring_email_send.delay,
            kind=kind,
            user_id=user.pk if user is not None else None,
            about=[about._meta.label, about.pk],
            context_ids=context_ids,
        ),
        robust=True,
    )


def mentoring_email_deliver(*, kind: str, user_id: int | None, about: list, context_ids: dict) -> bool:
    """Write and send one email from current data; False when it no longer applies."""
    label, pk = about
    subject = apps.get_model(label).objects.filter(pk=pk).first()
    if subject is None or not KINDS[kind](subject):
        return False
    if user_id is None:
        person, to = None, [settings.STAFF_NOTIFICATION_EMAIL]
    else:
        person = User.objects.filter(pk=user_id, is_active=True).first()
        if person is None:
            return False
        to = [person.email]
    context = {
        "person": person,
        "about": subject,
        "your_mentoring_url": absolute_url(reverse("mentoring:yours")),
    }
    for name, object_id in context_ids.items():
        context[name] = apps.get_model(CONTEXT_MODELS[name]).objects.filter(pk=object_id).first()
    template = "mentoring-" + kind.removeprefix("mentoring.").replace("_", "-")
    email_build(template=template, to=to, context=context).send()
    return True
