from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from loti_portal import versions
from loti_portal.sql import execute, table
from outbox.services import enqueue

from . import emails
from .models import AuditEntry, Organisation, OrganisationRequest, User
from .selectors import organisation_for_email
from .signals import organisation_request_submitted


def audit_record(*, actor: User | None, action: str, target: Model, data: dict | None = None) -> None:
    """Record who did what to which object. Call it inside the service's transaction. One INSERT
    with our own SQL (every write makes one), values as the model's fields store them."""
    execute(
        f"INSERT INTO {table(AuditEntry)}"  # noqa: S608
        " (actor_id, action, target_type, target_id, target_repr, data, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [
            actor.pk if actor is not None and actor.pk else None,
            action,
            target._meta.label_lower,
            str(target.pk),
            str(target)[:300],
            AuditEntry._meta.get_field("data").get_db_prep_value(data or {}, connection),
            timezone.now(),
        ],
    )


@transaction.atomic
def user_complete_profile(
    *,
    user: User,
    full_name: str,
    job_title: str,
    chosen_organisation: Organisation | None = None,
    requested_organisation_name: str = "",
) -> User:
    """Fill in a new account's profile and record which organisation the person says is theirs.

    Nobody is linked to an organisation here: the address is not confirmed yet. Confirming it
    links the account when it is on an organisation's domain (user_organisation_decide). A
    choice from the list, or a new organisation's name, when the address is on no listed domain,
    is an OrganisationRequest that staff decide.
    """
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    user.organisation = None
    user.organisation_decided_for = ""
    user.requested_organisation_name = ""
    user.save()
    request = None
    if organisation_for_email(email=user.email) is None:
        if chosen_organisation is not None:
            request = _request_open(
                user=user,
                organisation=chosen_organisation,
                name=chosen_organisation.name,
                source=OrganisationRequest.Source.CHOSE_FROM_LIST,
            )
        elif requested_organisation_name.strip():
            request = _request_open(
                user=user,
                organisation=None,
                name=" ".join(requested_organisation_name.split()),
                source=OrganisationRequest.Source.NAMED_NEW,
            )
    audit_record(
        actor=user,
        action="accounts.user.signed_up",
        target=user,
        data={"requested_organisation_name": request.name if request else ""},
    )
    return user


def _request_open(
    *, user: User, organisation: Organisation | None, name: str, source: str
) -> OrganisationRequest:
    """A pending request (the person's only one) and the account marked as awaiting review.
    Staff are told once the person's address is confirmed (user_organisation_decide)."""
    request = OrganisationRequest.objects.create(
        user=user, organisation=organisation, name=name[:200], source=source, email=user.email
    )
    user.requested_organisation_name = request.name
    user.save(update_fields=["requested_organisation_name"])
    versions.person_changed(user_id=user.pk)
    audit_record(
        actor=user,
        action="accounts.organisation_request.opened",
        target=request,
        data={"organisation": name, "source": source},
    )
    return request


@transaction.atomic
def user_update_profile(
    *, user: User, full_name: str, job_title: str, show_name_to_attendees: bool | None = None
) -> User:
    """Change a person's own details; `show_name_to_attendees` is left as it is when None.
    The audit entry records a change of that choice."""
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    fields = ["full_name", "job_title"]
    data = {}
    if show_name_to_attendees is not None:
        # Compared with what is stored: a bound ModelForm has already changed the instance.
        stored = User.objects.values_list("show_name_to_attendees", flat=True).get(pk=user.pk)
        user.show_name_to_attendees = show_name_to_attendees
        fields.append("show_name_to_attendees")
        if stored != show_name_to_attendees:
            data["show_name_to_attendees"] = show_name_to_attendees
    user.save(update_fields=fields)
    versions.person_renamed(user_id=user.pk)
    audit_record(actor=user, action="accounts.user.profile_updated", target=user, data=data)
    return user


@transaction.atomic
def user_organisation_decide(*, user: User) -> User:
    """Decide the person's organisation from their primary address, after it is confirmed or
    changed: the one rule by which an account is linked without a staff decision.

    - A confirmed primary address on an organisation's domain links the account to it (and
      settles any request awaiting review).
    - Otherwise a link holds only for the address it was decided for: an account whose address
      moved off the domain loses its organisation, and a request for it awaits staff.
    - A request awaiting review is sent to staff once the address it came from is confirmed.

    Idempotent: running it again with nothing changed changes nothing.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    versions.person_changed(user_id=user.pk)
    address = EmailAddress.objects.filter(user=user, primary=True, verified=True).first()
    email = address.email.lower() if address else ""
    matched = organisation_for_email(email=email) if email else None
    pending = OrganisationRequest.objects.filter(user=user, status=OrganisationRequest.Status.PENDING).first()
    if matched is not None:
        if user.organisation_id != matched.pk or user.organisation_decided_for != email:
            _link(user, organisation=matched, email=email, actor=user, basis="email_domain")
        if pending is not None:
            _request_close(
                pending, status=OrganisationRequest.Status.SUPERSEDED, organisation=matched, actor=user
            )
        return user
    if not email:
        return user
    if user.organisation_id is not None and user.organisation_decided_for.lower() != email:
        former = user.organisation
        user.organisation = None
        user.organisation_decided_for = ""
        user.save(update_fields=["organisation", "organisation_decided_for"])
        audit_record(
            actor=user,
            action="accounts.user.organisation_unlinked",
            target=user,
            data={"organisation": former.name, "reason": "primary address outside its domains"},
        )
        if pending is None:
            pending = _request_open(
                user=user,
                organisation=former,
                name=former.name,
                source=OrganisationRequest.Source.ADDRESS_CHANGED,
            )
    if pending is not None:
        if pending.email != email:
            pending.email = email
            pending.save(update_fields=["email"])
        if pending.staff_notified_at is None:
            _notify_staff(pending)
    return user


def _link(user: User, *, organisation: Organisation, email: str, actor: User | None, basis: str) -> None:
    before = user.organisation.name if user.organisation_id else None
    user.organisation = organisation
    user.organisation_decided_for = email
    user.requested_organisation_name = ""
    user.save(update_fields=["organisation", "organisation_decided_for", "requested_organisation_name"])
    versions.person_changed(user_id=user.pk)
    audit_record(
        actor=actor,
        action="accounts.user.organisation_changed",
        target=user,
        data={"organisation": organisation.name, "previous": before, "basis": basis},
    )


def _request_close(
    request: OrganisationRequest,
    *,
    status: str,
    organisation: Organisation | None,
    actor: User | None,
    reason: str = "",
) -> None:
    request.status = status
    request.linked_organisation = organisation
    request.decided_at = timezone.now()
    request.decided_by = actor if actor is not None and actor.pk and actor.pk != request.user_id else None
    request.decision_reason = reason[:500]
    request.save()
    versions.person_changed(user_id=request.user_id)
    audit_record(
        actor=actor,
        action=f"accounts.organisation_request.{status}",
        target=request,
        data={"organisation": organisation.name if organisation else None, "reason": reason},
    )


def _notify_staff(request: OrganisationRequest) -> None:
    """Owe staff one email about the request (the outbox sends it after commit, once), and each
    lead of the organisation it chose one too: they may confirm a colleague themselves."""
    organisation_request_submitted.send(sender=OrganisationRequest, request=request)
    enqueue(
        kind=emails.ORGANISATION_REQUEST_TO_STAFF,
        to=settings.STAFF_NOTIFICATION_EMAIL,
        about=request,
        data={"request_id": request.pk},
        dedup_key=f"{emails.ORGANISATION_REQUEST_TO_STAFF}:{request.pk}",
    )
    request.staff_notified_at = timezone.now()
    request.save(update_fields=["staff_notified_at"])


def _notify_person(request: OrganisationRequest) -> None:
    """Owe the person one email saying how their request was decided."""
    enqueue(
        kind=emails.ORGANISATION_REQUEST_DECIDED,
        to=request.user.email,
        user=request.user,
        about=request,
        data={"request_id": request.pk},
        dedup_key=f"{emails.ORGANISATION_REQUEST_DECIDED}:{request.pk}",
    )
    request.person_notified_at = timezone.now()
    request.save(update_fields=["person_notified_at"])


def _locked_pending(request: OrganisationRequest) -> OrganisationRequest:
    request = (
        OrganisationRequest.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .get(pk=request.pk)
    )
    if not request.is_pending:
        raise ValidationError(
            f"The request from {request.user} to be linked to {request.name} has already been decided "
            f"({request.get_status_display().lower()})."
        )
    return request


@transaction.atomic
def organisation_request_approve(*, request: OrganisationRequest, acting_user: User) -> OrganisationRequest:
    """Staff agree the person works for the organisation they named: link them to it (a new
    name becomes a new organisation, of kind "other" until staff say otherwise), tell them.
    Raises ValidationError if the request is already decided."""
    request = _locked_pending(request)
    organisation = request.organisation
    if organisation is None:
        organisation = Organisation.objects.filter(name__iexact=request.name).first()
        if organisation is None:
            organisation = Organisation.objects.create(name=request.name, kind=Organisation.Kind.OTHER)
            audit_record(
                actor=acting_user,
                action="accounts.organisation.created",
                target=organisation,
                data={"from_request": request.pk},
            )
    return _decide(request, organisation=organisation, acting_user=acting_user)


@transaction.atomic
def organisation_request_merge(
    *, request: OrganisationRequest, organisation: Organisation, acting_user: User
) -> OrganisationRequest:
    """Staff link the person to an existing organisation instead of the one they named (for
    example "LB Camden" is Camden). Raises ValidationError if the request is already decided."""
    request = _locked_pending(request)
    return _decide(request, organisation=organisation, acting_user=acting_user)


def _decide(request: OrganisationRequest, *, organisation: Organisation, acting_user: User):
    user = User.objects.select_for_update().get(pk=request.user_id)
    _link(user, organisation=organisation, email=user.email.lower(), actor=acting_user, basis="staff")
    _request_close(
        request, status=OrganisationRequest.Status.APPROVED, organisation=organisation, actor=acting_user
    )
    _notify_person(request)
    return request


@transaction.atomic
def organisation_request_reject(
    *, request: OrganisationRequest, acting_user: User, reason: str = ""
) -> OrganisationRequest:
    """Staff do not link the person to the organisation they named; they stay signed in with
    what anyone signed in has, and are told. Raises ValidationError if already decided."""
    request = _locked_pending(request)
    user = User.objects.select_for_update().get(pk=request.user_id)
    user.requested_organisation_name = ""
    user.save(update_fields=["requested_organisation_name"])
    _request_close(
        request,
        status=OrganisationRequest.Status.REJECTED,
        organisation=None,
        actor=acting_user,
        reason=" ".join(reason.split()),
    )
    _notify_person(request)
    return request


@transaction.atomic
def user_organisation_set(*, user: User, organisation: Organisation | None, acting_user: User) -> User:
    """A staff decision made on the person's account itself (admin): link them to an
    organisation, or to none. Settles a request awaiting review. Audited."""
    user = User.objects.select_for_update().get(pk=user.pk)
    versions.person_changed(user_id=user.pk)
    pending = OrganisationRequest.objects.filter(user=user, status=OrganisationRequest.Status.PENDING).first()
    if organisation is None:
        if user.organisation_id is not None:
            former = user.organisation
            user.organisation = None
            user.organisation_decided_for = ""
            user.save(update_fields=["organisation", "organisation_decided_for"])
            audit_record(
                actor=acting_user,
                action="accounts.user.organisation_unlinked",
                target=user,
                data={"organisation": former.name, "reason": "staff decision"},
            )
        return user
    _link(user, organisation=organisation, email=user.email.lower(), actor=acting_user, basis="staff")
    if pending is not None:
        _request_close(
            pending, status=OrganisationRequest.Status.APPROVED, organisation=organisation, actor=acting_user
        )
        _notify_person(pending)
    return user
