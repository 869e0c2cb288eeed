"""A place in a waiting list: who waits ahead of a registration, the one rule written once as
SQL, which waitlist_rank (one registration, from its values) and "Your events" (every waiting
registration of a person, inside the query that reads them) both use."""

from loti_portal.sql import table

from .models import Registration


def waiting_ahead(
    *, event_id: str = "%s", mode: str = "%s", waitlist_position: str = "%s"
) -> tuple[str, list]:
    """How many wait ahead of one registration, as an SQL expression with its parameters: those
    waiting for the same event and the same way of attending (a hybrid session has a queue for
    each), with a lower position. `event_id`, `mode` and `waitlist_position` are the
    registration's, as SQL: columns of the caller's query, or "%s" (the default) for values the
    caller adds after the parameters returned, in that order."""
    return (
        f"(SELECT COUNT(*) FROM {table(Registration)} ahead WHERE ahead.status = %s"  # noqa: S608
        f" AND ahead.event_id = {event_id} AND ahead.mode = {mode}"
        f" AND ahead.waitlist_position < {waitlist_position})",
        [Registration.Status.WAITLISTED],
    )
