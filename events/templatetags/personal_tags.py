"""The parts of a person's own pages drawn as plain markup (events.cards_personal)."""

from django import template

from events import cards_personal

register = template.Library()


@register.simple_tag
def home_invitations(events):
    """{% home_invitations summary.invited_to %}"""
    return cards_personal.home_invitations(events)


@register.simple_tag
def home_applications(applications):
    """{% home_applications summary.pending_applications %}"""
    return cards_personal.home_applications(applications)


@register.simple_tag
def home_session_cards(registrations):
    """{% home_session_cards summary.next_sessions %}"""
    return cards_personal.home_session_cards(registrations)


@register.simple_tag
def home_meeting_cards(events):
    """{% home_meeting_cards summary.next_meetings %}"""
    return cards_personal.home_meeting_cards(events)
