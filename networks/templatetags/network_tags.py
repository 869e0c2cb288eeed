from django import template

from networks import cards

register = template.Library()

# {{ status|membership_status_tag }} and {{ network.join_policy|join_policy_words }}: the tag and
# the words every networks page shows, from networks.cards.
register.filter("membership_status_tag", cards.membership_status_tag)
register.filter("join_policy_words", cards.join_policy_words)
