from zoneinfo import ZoneInfo

from django.conf import settings

# Every time shown to a person, and every meeting's wall-clock time, is in London time.
LONDON = ZoneInfo(settings.TIME_ZONE)


def absolute_url(path: str) -> str:
    """An absolute URL on this portal for a path, for emails and calendar files."""
    return f"{settings.SITE_URL}{path}"
