from .models import Organisation, OrganisationDomain


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


def organisation_list_for_signup():
    return Organisation.objects.order_by("name").only("id", "name", "kind")
