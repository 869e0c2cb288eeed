"""Background work for engagement: keeping the monthly rollups fresh."""

from celery import shared_task

from . import services


@shared_task
def engagement_rollup_refresh() -> dict[str, int]:
    """Periodic (hourly): rewrite the monthly rollups the dashboard reads. Safe to run twice."""
    return services.rollup_refresh()
