"""Background work for networks: their meetings. (Their emails go through the outbox.)"""

from celery import shared_task

from networks import meetings
from networks.models import Network


@shared_task
def network_meetings_refresh(network_id: int, within_notice: bool = False) -> tuple[int, int]:
    """After a network's cadence changed: replace future untouched meetings (with those within
    the notice period only if staff confirmed them). Safe to run twice."""
    network = Network.objects.filter(id=network_id).first()
    if network is None:
        return (0, 0)
    return meetings.meetings_replace_future(network=network, within_notice=within_notice)


@shared_task
def network_meetings_generate() -> dict[str, int]:
    """Periodic (daily): create each network's meetings up to its horizon. Idempotent."""
    return meetings.meetings_generate_all()
