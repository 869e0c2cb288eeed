from django import template

from ..forms import DigestSettingsForm
from ..selectors import digest_network_ids, digest_networks_for

register = template.Library()


@register.inclusion_tag("newsletter/includes/digest_settings.html", takes_context=True)
def digest_settings(context):
    """The digest part of the notification settings page: two queries."""
    user = context["request"].user
    networks = digest_networks_for(user=user)
    form = DigestSettingsForm(networks=networks, chosen=digest_network_ids(user=user))
    return {"form": form, "networks": networks, "csrf_token": context.get("csrf_token")}
