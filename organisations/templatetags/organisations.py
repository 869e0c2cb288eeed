from django import template

from ..models import OrganisationLead

register = template.Library()


@register.simple_tag
def organisation_led_by(user):
    """The organisation this person leads, or None (one query; used on the account page only)."""
    if not user.is_authenticated or user.organisation_id is None:
        return None
    lead = (
        OrganisationLead.objects.select_related("organisation")
        .filter(user=user, organisation_id=user.organisation_id)
        .first()
    )
    return lead.organisation if lead else None
