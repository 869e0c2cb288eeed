"""The pages under load, found by URL name at run time, and their query counts.

A page whose URL name does not reverse (its app is not merged yet) is reported as not available.
"""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url_name: str
    target: str = ""  # "event" or "network": the page is about the dataset's chosen one
    signed_in: bool = True
    has_targets: bool = True


FLOOR = Page(
    "floor", "Floor: small template, one query", "benchmark-floor", signed_in=False, has_targets=False
)
PAGES = (
    Page("home", "Home, signed in (reference, no target)", "home", has_targets=False),
    Page("events_list", "Events list", "events:event-list"),
    Page("event_detail", "An event's page", "events:event-detail", target="event"),
    Page("networks_list", "Networks list", "networks:network-list"),
    Page("network_detail", "A network's page", "networks:network-detail", target="network"),
    Page("my_events", "My events", "events:my-events"),
)


def page_path(page: Page, dataset) -> str | None:
    """The page's path, or None when its URL name does not reverse (not merged yet)."""
    args = []
    if page.target == "event":
        args = [dataset.event_slug]
    elif page.target == "network":
        args = [dataset.network_slug]
    try:
        return reverse(page.url_name, args=args)
    except NoReverseMatch:
        return None


def session_cookie(user) -> str:
    """A signed-in session for `user`, as a Cookie header value (what login() would store)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = MODEL_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def count_queries(path: str, user=None) -> dict:
    """Queries one request for `path` runs, signed in as `user` (or not)."""
    client = Client()
    if user is not None:
        client.force_login(user, backend=MODEL_BACKEND)
    client.get(path)  # the first request after signing in refreshes the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return {
        "status": response.status_code,
        "queries": len(captured),
        "sql": [query["sql"][:300] for query in captured.captured_queries],
    }
