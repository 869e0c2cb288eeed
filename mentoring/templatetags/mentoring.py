from django import template

from mentoring import selectors

register = template.Library()


@register.inclusion_tag("mentoring/includes/network_section.html", takes_context=True)
def mentoring_for_network(context, network):
    """The "Mentoring" section of a network's page: its programmes, for members and staff (one query)."""
    # The network's page has already read this person's membership status (network.my_status).
    is_member = getattr(network, "my_status", None) == "active"
    user = context["request"].user
    return {"programmes": selectors.programmes_for_network(network=network, user=user, is_member=is_member)}
