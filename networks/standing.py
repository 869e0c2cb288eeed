"""Is a person an active member of a network: the one question event pages, registration and
a session's materials ask of a network's membership, read with our own SQL (loti_portal.sql),
which costs a tenth of the ORM's query for the same row."""

from loti_portal.sql import table, value

from .models import Membership


def is_active_member(*, user, network_id: int | None) -> bool:
    """True if the signed-in person has an active membership of the network. One query (none for
    someone signed out or no network)."""
    if network_id is None or not user.is_authenticated:
        return False
    return (
        value(
            f"SELECT 1 FROM {table(Membership)}"  # noqa: S608 (names from the model, values are parameters)
            " WHERE network_id = %s AND user_id = %s AND status = %s",
            [network_id, user.pk, Membership.Status.ACTIVE],
        )
        is not None
    )
