"""Every mentoring email goes through the one outbox: mentoring_email_enqueue writes its row
inside the transaction of the change that causes it, with a dedup_key naming the reason, which
makes it once (outbox.services.enqueue).

The email is written at send time from current data (templates/emails/mentoring-<name>-*.txt/html,
`name` being the kind after "mentoring." with "_" as "-"), and skipped when it no longer applies:
a proposal answered before its email went, a pairing that has ended, a meeting that has passed.
"""

from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email
from outbox.services import enqueue

from .models import FORMER_MEMBER

# The objects an email may name in its data, by name.
CONTEXT_MODELS = {
    "pairing": "mentoring.Pairing",
    "programme": "mentoring.MentoringProgramme",
    "request": "mentoring.MentoringRequest",
    "other": "accounts.User",
    "circle": "mentoring.PeerCircle",
}

# Each kind: its label for staff, and when it still applies at send time (given the `about` object).
KINDS = {
    "mentoring.pairing_proposed": ("Mentoring: pair proposed", lambda pairing: pairing.state == "proposed"),
    "mentoring.request_received": (
        "Mentoring: request received",
        lambda pairing: pairing.state == "proposed",
    ),
    "mentoring.pairing_accepted": (
        "Mentoring: pairing started",
        lambda pairing: pairing.state in ("accepted", "active"),
    ),
    "mentoring.pairing_declined": ("Mentoring: pairing declined", lambda pairing: True),
    "mentoring.request_moved_on": ("Mentoring: request moved on", lambda pairing: True),
    "mentoring.request_exhausted": (
        "Mentoring: no mentor accepted",
        lambda request: request.state == "exhausted",
    ),
    "mentoring.fit_question": (
        "Mentoring: how is it going?",
        lambda pairing: pairing.state in ("accepted", "active"),
    ),
    "mentoring.not_a_good_fit": ("Mentoring: not a good fit (to staff)", lambda pairing: True),
    "mentoring.check_in_reminder": (
        "Mentoring: check-in reminder",
        lambda pairing: pairing.state in ("accepted", "active"),
    ),
    "mentoring.pairing_ended_early": (
        "Mentoring: pairing ended early",
        lambda pairing: pairing.state == "ended_early",
    ),
    "mentoring.pairing_completed": (
        "Mentoring: pairing complete",
        lambda pairing: pairing.state == "completed",
    ),
    "mentoring.circle_joined": ("Circle: joined", lambda membership: membership.left_at is None),
    "mentoring.circle_meeting_reminder": (
        "Circle: meeting reminder",
        lambda meeting: meeting.start > timezone.now(),
    ),
}


# The kinds that go to the staff address rather than to a person.
STAFF_KINDS = {"mentoring.not_a_good_fit"}


def mentoring_email_enqueue(
    *, kind: str, user: User | None, about: Model, context_ids: dict, dedup_key: str
) -> Email | None:
    """Owe one email of `kind` to `user` (None: the staff address) about `about`, once per
    `dedup_key`. Call it inside the change's transaction: the email stands or falls with the
    change, and a broker or mail server failure never undoes it. None when already owed."""
    if kind not in KINDS:
        raise ValueError(f"Unknown mentoring email kind {kind!r}")
    return enqueue(
        kind=kind,
        to=user.email if user is not None else settings.STAFF_NOTIFICATION_EMAIL,
        user=user,
        about=about,
        data=context_ids,
        dedup_key=dedup_key,
    )


def mentoring_email_build(email: Email, shared: dict):
    """Write one mentoring email from current data; None when it no longer applies."""
    _label, applies = KINDS[email.kind]
    subject = None
    if email.about_type and email.about_id is not None:
        subject = apps.get_model(email.about_type).objects.filter(pk=email.about_id).first()
    if subject is None or not applies(subject):
        return None
    person = None
    if email.kind not in STAFF_KINDS:
        person = User.objects.filter(pk=email.user_id, is_active=True).first() if email.user_id else None
        if person is None:  # the account was closed or deleted meanwhile
            return None
    context = {
        "person": person,
        "about": subject,
        "your_mentoring_url": absolute_url(reverse("mentoring:yours")),
    }
    for name, object_id in email.data.items():
        if name in CONTEXT_MODELS:
            context[name] = apps.get_model(CONTEXT_MODELS[name]).objects.filter(pk=object_id).first()
    if "other" in email.data and context.get("other") is None:
        context["other"] = FORMER_MEMBER  # they deleted their account meanwhile
    template = "mentoring-" + email.kind.removeprefix("mentoring.").replace("_", "-")
    return email_build(template=template, to=[email.to], context=context)


for _kind, (_label, _applies) in KINDS.items():
    email_kind(_kind, _label)(mentoring_email_build)
