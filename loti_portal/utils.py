from django.conf import settings


def absolute_url(path: str) -> str:
    """An absolute URL on this portal for a path, for emails and calendar files."""
    return f"{settings.SITE_URL}{path}"
