from django import template

from mentoring import selectors

register = template.Library()


@register.inclusion_tag("mentoring/includes/network_section.html", takes_context=True)
def mentoring_for_network(context, network):
    """The "Mentoring" and "Peer-support circles" sections of a network's page, for its members
    and staff (one query)."""
    # The network's page has already read this person's membership status (network.my_status).
    is_member = getattr(network, "my_status", None) == "active"
    user = context["request"].user
    return {
        "network": network,
        **selectors.network_mentoring(network=network, user=user, is_member=is_member),
    }


@register.inclusion_tag("mentoring/includes/your_circles.html", takes_context=True)
def your_circles(context):
    """The person's peer-support circles, for "Your networks" (one query)."""
    return {"circle_memberships": selectors.circles_for_user(user=context["request"].user)}
