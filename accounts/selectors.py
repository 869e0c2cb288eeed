from django.db import connection, models

from loti_portal.sql import rows, table

from .models import Organisation, OrganisationDomain, OrganisationRequest, User


def email_domain(email: str) -> str:
    """The domain part of an email address, lower case, without a trailing dot."""
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def organisation_for_email(*, email: str) -> Organisation | None:
    """The organisation an email address belongs to, from its domain.

    The exact domain or any subdomain of a listed domain matches, case-insensitively, and the
    longest listed domain wins. A lookalike such as camden.gov.uk.example.com never matches,
    because only the address's own suffixes are compared, label by label.
    """
    domain = email_domain(email)
    if not domain:
        return None
    labels = domain.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    matches = OrganisationDomain.objects.filter(domain__in=candidates).select_related("organisation")
    best = max(matches, key=lambda match: len(match.domain), default=None)
    return best.organisation if best else None


def person_organisation(user) -> Organisation | None:
    """The organisation a person verifiably works for, or None.

    `User.organisation` is set only by a confirmed primary address on one of the organisation's
    domains or by a staff decision (accounts.services); a claim awaiting review leaves it empty.
    Every check that depends on a person's organisation asks this (or person_is_borough_member).

    The first time for a person (a page asks for each network it lists), the organisation is read
    with one row of our own SQL and set on them (`user.organisation = …`, as any code may), since
    the ORM's query for it costs a page some 800 Python calls; later calls have it at once.
    """
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return None
    if getattr(user, "_organisation_read_for", None) != user.organisation_id:
        organisation = _organisation_read(organisation_id=user.organisation_id)
        if organisation is not None:
            user.organisation = organisation
        user._organisation_read_for = user.organisation_id
    return user.organisation


def _organisation_read(*, organisation_id: int) -> Organisation | None:
    """The organisation with this id, every field as the ORM gives it (on PostgreSQL and SQLite)."""
    fields = Organisation._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    datetimes = [index for index, field in enumerate(fields) if isinstance(field, models.DateTimeField)]
    found = rows(
        f"SELECT {columns} FROM {table(Organisation)} WHERE {quote(Organisation._meta.pk.column)} = %s",  # noqa: S608
        [organisation_id],
        datetimes=datetimes,
    )
    if not found:
        return None
    return Organisation.from_db(connection.alias, [field.attname for field in fields], found[0])


def person_is_borough_member(user) -> bool:
    """Whether the person counts as London borough staff: the one answer for borough-only
    sessions, network eligibility and everything else that is for boroughs."""
    organisation = person_organisation(user)
    return organisation is not None and organisation.kind == Organisation.Kind.BOROUGH


def person_awaits_organisation_review(user) -> bool:
    """Whether the person has told us of an organisation that staff have not decided yet."""
    return bool(user.is_authenticated and user.organisation_id is None and user.requested_organisation_name)


def organisation_request_pending_for(*, user: User) -> OrganisationRequest | None:
    return OrganisationRequest.objects.filter(user=user, status=OrganisationRequest.Status.PENDING).first()


def organisation_list_for_signup():
    return Organisation.objects.order_by("name").only("id", "name", "kind")
