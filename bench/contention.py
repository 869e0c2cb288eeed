"""Registration under contention: many people register for one event with few places at once,
through the real HTTP form, and the database is counted afterwards.

Each person has their own signed-in session. First every person opens the event page (for the
form and its CSRF token), then all the forms are posted together from a pool of concurrent
clients; registrations per second are timed over the posting phase.
"""

import http.client
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from html.parser import HTMLParser
from threading import local
from urllib.parse import urlencode, urlsplit

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Organisation, User
from events.models import Event, Registration

from .dataset import insert_rows
from .pages import session_cookie


class _Forms(HTMLParser):
    """Every <form> on a page: its action, method and the values its fields would submit."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            # A select submits its selected option, else its first.
            if self._select[1] is None or "selected" in attrs:
                self._select[1] = attrs.get("value") or ""
        elif not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            value = attrs.get("value") or ("on" if kind == "checkbox" else "")
            self._form["fields"].append((attrs["name"], value))
        elif tag == "textarea":
            self._form["fields"].append((attrs["name"], ""))
        elif tag == "select":
            self._select = [attrs["name"], None]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, value = self._select
            if self._form is not None and value is not None:
                self._form["fields"].append((name, value))
            self._select = None


def _cookies(response) -> dict:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


class _Browser:
    """One person's plain HTTP client: their session cookie plus whatever the server sets."""

    _connections = local()

    def __init__(self, base_url: str, cookie: str):
        self.base = urlsplit(base_url)
        name, _, value = cookie.partition("=")
        self.jar = {name: value}

    def _connection(self):
        connection = getattr(self._connections, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=60)
            self._connections.connection = connection
        return connection

    def request(self, method, path, body=None):
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.jar.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            connection.close()  # the server closed a kept-alive connection: once more on a new one
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        self.jar.update(_cookies(response))
        return response.status, content.decode("utf-8", "replace")


def _registration_form(html: str, page_path: str, register_path: str):
    """The fields of the form on the page that posts to the registration URL, or None."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        action = urlsplit(form["action"]).path or page_path  # no action: the page itself
        if form["method"] == "post" and action == register_path:
            return form["fields"]
    return None


def create_people(count: int) -> list:
    """`count` new members of Hackney, with no registrations."""
    organisation = Organisation.objects.get(name="Hackney")
    stamp = time.monotonic_ns()
    insert_rows(
        User,
        (
            {
                "email": f"contender.{stamp}.{number}@hackney.gov.uk",
                "full_name": f"Contender {number}",
                "organisation_id": organisation.id,
                "password": "!",
            }
            for number in range(count)
        ),
    )
    return list(User.objects.filter(email__startswith=f"contender.{stamp}.").order_by("id"))


def create_event(*, places: int | None) -> Event:
    """A new published session three weeks ahead, open to anyone signed in, with `places` places."""
    start = timezone.now() + timedelta(days=21)
    return Event.objects.create(
        title="Contention: careers day taster",
        slug=f"bench-contention-{time.monotonic_ns()}",
        summary="A session with few places, for the registration race.",
        kind=Event.Kind.CAREERS_DAY,
        start=start,
        end=start + timedelta(hours=2),
        capacity=places,
        audience=Event.Audience.SIGNED_IN,
        status=Event.Status.PUBLISHED,
        venue="City Hall, London",
    )


def run(base_url: str, *, people: int = 400, places: int = 100, clients: int = 24) -> dict:
    """Race `people` registrations for `places` places; the outcome is counted in the database."""
    try:
        reverse("events:event-register", args=["probe"])
        reverse("events:event-detail", args=["probe"])
    except NoReverseMatch:
        return {
            "available": False,
            "reason": "events:event-register or events:event-detail does not reverse yet",
        }

    event = create_event(places=places)
    detail_path = reverse("events:event-detail", args=[event.slug])
    register_path = reverse("events:event-register", args=[event.slug])
    browsers = [_Browser(base_url, session_cookie(user)) for user in create_people(people)]

    def open_form(browser):
        for path in (detail_path, register_path):
            status, html = browser.request("GET", path)
            fields = _registration_form(html, path, register_path) if status == 200 else None
            if fields is not None:
                return fields
        return None

    with ThreadPoolExecutor(max_workers=clients) as pool:
        started = time.perf_counter()
        forms = list(pool.map(open_form, browsers))
        open_seconds = time.perf_counter() - started
    missing = sum(form is None for form in forms)
    if missing:
        return {
            "available": False,
            "reason": f"no form posting to {register_path} on {detail_path} for {missing} of {people} people",
        }

    def submit(pair):
        browser, fields = pair
        status, _ = browser.request("POST", register_path, body=urlencode(fields))
        return status

    with ThreadPoolExecutor(max_workers=clients) as pool:
        started = time.perf_counter()
        statuses = Counter(pool.map(submit, zip(browsers, forms, strict=True)))
        post_seconds = time.perf_counter() - started

    by_status = dict(
        Registration.objects.filter(event=event).values_list("status").annotate(count=Count("id")).order_by()
    )
    confirmed = by_status.get(Registration.Status.CONFIRMED, 0)
    waitlisted = by_status.get(Registration.Status.WAITLISTED, 0)
    positions = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).values(
        "waitlist_position"
    )
    distinct_positions = positions.distinct().count()
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    return {
        "available": True,
        "people": people,
        "places": places,
        "clients": clients,
        "open_form_seconds": round(open_seconds, 2),
        "post_seconds": round(post_seconds, 2),
        "registrations_per_second": round(people / post_seconds, 1),
        "http_statuses": {str(status): count for status, count in sorted(statuses.items())},
        "server_errors": server_errors,
        "registrations_by_status": by_status,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "waitlist_positions_distinct": distinct_positions,
        "overbooked": max(0, confirmed - places),
        "exact": confirmed == places and waitlisted == people - places and distinct_positions == waitlisted,
    }
