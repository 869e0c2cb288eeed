"""Every change to events and registrations. See each module's docstring."""

from .calendar_feeds import calendar_feed_regenerate
from .event import (
    event_attendees_export,
    event_cancel,
    event_duplicate,
    event_message_registrants,
    event_save,
)
from .invitations import invitation_email_send, invitation_ids_owed, invitations_announce
from .notifications import notification_send, notifications_queue
from .registration import (
    RegistrationRefused,
    event_fill_from_waitlist,
    registration_cancel,
    registration_create,
    registration_mark_attendance,
    registration_promote,
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
    "invitation_email_send",
    "invitation_ids_owed",
    "invitations_announce",
    "notification_send",
    "notifications_queue",
    "registration_cancel",
    "registration_create",
    "registration_mark_attendance",
    "registration_promote",
]
