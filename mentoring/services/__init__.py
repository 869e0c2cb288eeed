"""Every change to mentoring: one function per change of state.

Each runs in one transaction, leaves an audit entry and owes its emails through
mentoring_email_enqueue. A refusal raises ValidationError with a message to show as it is; nothing
is stored then. The periodic ones are safe to run twice, or on two workers: pairing_expire and
pairing_complete claim the change of state with a conditional UPDATE first; check_in_reminder_send
owes its emails under a dedup_key, which the outbox keeps once.

profiles: programmes and the sign-up task list; making_pairs: staff matching, requests and the
mentor's answer; pairings: a pairing under way, re-pairing and its end. Callers use this package.
"""

from .making_pairs import (
    pairing_accept,
    pairing_decline,
    pairing_expire,
    pairing_ids_expired,
    pairings_confirm,
    request_create,
    request_withdraw,
)
from .pairings import (
    check_in_log,
    check_in_reminder_send,
    feedback_save,
    fit_answer_save,
    pairing_complete,
    pairing_end_early,
    pairing_goals_save,
    pairing_ids_check_in_overdue,
    pairing_ids_ended,
    pairing_repair,
)
from .profiles import (
    profile_accept_code_of_conduct,
    profile_save_about,
    profile_save_goals,
    programme_save,
)

__all__ = [
    "check_in_log",
    "check_in_reminder_send",
    "feedback_save",
    "fit_answer_save",
    "pairing_accept",
    "pairing_complete",
    "pairing_decline",
    "pairing_end_early",
    "pairing_expire",
    "pairing_goals_save",
    "pairing_ids_check_in_overdue",
    "pairing_ids_ended",
    "pairing_ids_expired",
    "pairing_repair",
    "pairings_confirm",
    "profile_accept_code_of_conduct",
    "profile_save_about",
    "profile_save_goals",
    "programme_save",
    "request_create",
    "request_withdraw",
]
