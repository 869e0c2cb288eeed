"""Every change to events and registrations. See each module's docstring."""

from .calendar_feeds import calendar_feed_regenerate
from .event import (
    event_attendees_export,
    event_cancel,
    event_duplicate,
    event_message_registrants,
    event_save,
)
from .invitations import invitations_announce
from .notifications import notifications_queue
from .registration import (
    RegistrationRefused,
    event_fill_from_waitlist,
    events_mark_no_shows,
    registration_add_walk_in,
    registration_cancel,
    registration_create,
    registration_mark_attendance,
    registration_offer_accept,
    registration_promote,
    waitlist_offers_lapse,
)

__all__ = [
    "RegistrationRefused",
    "calendar_feed_regenerate",
    "event_attendees_export",
    "event_cancel",
    "event_duplicate",
    "event_fill_from_waitlist",
    "event_message_registrants",
    "event_save",
    "events_mark_no_shows",
    "invitations_announce",
    "notifications_queue",
    "registration_add_walk_in",
    "registration_cancel",
    "registration_create",
    "registration_mark_attendance",
    "registration_offer_accept",
    "registration_promote",
    "waitlist_offers_lapse",
]
