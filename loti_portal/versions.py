"""Whole pages kept under versions of what they show, so that a change makes only the pages
showing it afresh.

A version is a short random token in the shared cache (Redis in production), one per thing a
page shows:

- ``event:<slug>``: an event (its details, its counts, who is coming, its network's name).
  Saving it, every change of one of its registrations (``event_counts_refresh``), someone coming
  changing their name, and its network being saved give it a new one.
- ``event-details``: what the events list and archive show of events that only editing them
  changes (their details, who may see them, their networks' names): any event's change but a
  registration's gives it a new one, and so does a network's. What a registration changes on
  those pages (places left, the person's own status) is drawn into live parts (`live_part`),
  filled in afresh each time a kept page is served.
- ``network:<slug>``: a network (its details, member count, leads, upcoming meetings). Saving it,
  a membership in it changing, and saving one of its events give it a new one.
- ``networks``: the networks list. Any network's change gives it a new one.
- ``person:<id>``: what a person may see and how pages greet them (their organisation, their
  memberships, invitations, their calendar address).
- ``names``: people's names as others see them (who is coming, a network's leads). Anyone
  changing their name or whether it is shown gives it a new one.

The services that make those changes call ``event_changed``, ``events_changed``,
``event_registrations_changed``, ``network_changed`` and ``person_changed`` inside their
transaction; new tokens are written once it commits. A page reads its versions before what it
shows, so no one can keep a page drawn from data that was about to change under the new version.

``cached_page`` keeps a page's HTML in the ``pages`` cache (each process's memory) under a
key made of the page's path and query, the versions of what it shows, and who is looking (their
id, their version and whether they are staff), for PAGE_SECONDS at most, since time moves pages
too (registration closes, a session starts). Only successful GET pages are kept, never while the
person has messages waiting, and never with a CSRF token in them: the form fields are kept
empty and filled with this request's token when served. A version that cannot be read (the
cache is down) means the page is drawn afresh; a version that cannot be written lapses with
PAGE_SECONDS.
"""

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from functools import partial

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

# How long a page is kept whatever happens: what time alone changes on a page (registration
# opening or closing, a session moving from upcoming to past) shows within this.
PAGE_SECONDS = 60
# Versions outlive the pages kept under them, so a version that lapses (or is lost) only means
# pages drawn afresh; kept short, since a request for any address, even one of no event, makes one.
VERSION_SECONDS = 10 * 60

EVENT_DETAILS = "event-details"
NETWORK_LISTS = "networks"
# People's names as others see them: rarely changed, shown on event and network pages.
PEOPLE_NAMES = "names"

_CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_EMPTY = r"\1\2"
_CSRF_HOLE = 'name="csrfmiddlewaretoken" value=""'
# A live part of a page: "<!--live NAME-->HTML<!--/live-->". Nothing a person types can make one:
# every value drawn into a page is escaped, so "<" only comes from the page's own markup.
_LIVE_PART = re.compile(r"<!--live ([^>]*)-->(.*?)<!--/live-->", re.DOTALL)
_LIVE_MARKS = re.compile(r"<!--live [^>]*-->|<!--/live-->")


# Events and networks are named by their address (slug), what a page request knows before any
# query, so finding a kept page needs no query at all.
def _event(slug: str) -> str:
    return f"event:{slug}"


def _network(slug: str) -> str:
    return f"network:{slug}"


def _person(user_id: int) -> str:
    return f"person:{user_id}"


def _version_key(name: str) -> str:
    return f"version:{name}"


# --- invalidation: called by the services, inside their transaction --------------------------


def _renew(names: tuple[str, ...]) -> None:
    caches["default"].set_many({_version_key(name): secrets.token_hex(8) for name in names}, VERSION_SECONDS)


def _renew_on_commit(*names: str) -> None:
    # Once, after commit (at once outside a transaction). A page reads its versions before it
    # reads what it shows, so a page kept under a token written after commit was drawn from the
    # committed change; one drawn while the change was under way is kept under the old token,
    # which no one asks for once the new one is written.
    transaction.on_commit(partial(_renew, names), robust=True)


def events_changed(*, slugs: Iterable[str], network_slugs: Iterable[str] = ()) -> None:
    """The events' details or counts changed, or they were added or removed: their pages, the
    lists of events and (for a change of their details) their networks' pages and the networks
    list are drawn afresh."""
    names = [*(_event(slug) for slug in slugs), EVENT_DETAILS]
    network_names = [_network(slug) for slug in network_slugs if slug]
    if network_names:
        names += [*network_names, NETWORK_LISTS]
    _renew_on_commit(*names)


def event_changed(*, slug: str, network_slug: str | None = None) -> None:
    """One event changed (see events_changed): with network_slug for a change of its details."""
    events_changed(slugs=[slug], network_slugs=[network_slug] if network_slug else [])


def event_registrations_changed(*, slug: str) -> None:
    """Registrations for the event changed (someone registered, cancelled, was given a place,
    came): its page and the "Your events" pages showing it are drawn afresh; the events list
    keeps its pages, whose live parts (places left, the person's own status) are filled in
    afresh anyway."""
    _renew_on_commit(_event(slug))


def network_changed(*, slug: str, event_slugs: Iterable[str] = ()) -> None:
    """The network, its members or its leads changed: its page, the networks list and the lists
    of events (cards show its name) are drawn afresh, and so are the pages of the events given
    (after a change of its name or address, its events' pages)."""
    _renew_on_commit(_network(slug), NETWORK_LISTS, EVENT_DETAILS, *(_event(event) for event in event_slugs))


def person_renamed(*, user_id: int) -> None:
    """The person's name, or whether others see it, changed: their pages, and every page that
    shows people's names (an event's "who is coming", a network's leads), are drawn afresh."""
    _renew_on_commit(_person(user_id), PEOPLE_NAMES)


def person_changed(*, user_id: int) -> None:
    """What the person may see or how pages greet them changed (organisation, memberships,
    invitations, calendar address): their pages are drawn afresh after commit."""
    _renew_on_commit(_person(user_id))


# --- reading: the pages ---------------------------------------------------------------------


def _versions(names: list[str]) -> list[str] | None:
    """The current token of each name (new ones for names without one), or None when the cache
    cannot tell."""
    cache = caches["default"]
    keys = [_version_key(name) for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), VERSION_SECONDS)
            found[key] = cache.get(key)
            if found[key] is None:
                return None
    return [found[key] for key in keys]


def _viewer(request: HttpRequest) -> tuple[list[str], str]:
    user = request.user
    if not user.is_authenticated:
        return [], "guest"
    return [_person(user.pk)], f"{user.pk}:{int(user.is_staff)}{int(user.is_superuser)}"


def _page_key(request: HttpRequest, *, events: Iterable[str], networks: Iterable[str], lists: Iterable[str]):
    names = [*(_event(slug) for slug in events), *(_network(slug) for slug in networks), *lists]
    person_names, viewer = _viewer(request)
    tokens = _versions(names + person_names)
    if tokens is None:
        return None
    parts = [request.path, request.META.get("QUERY_STRING", ""), viewer, *names, *tokens]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def live_part(name: str, html: str) -> str:
    """`html` as a live part of a page kept by cached_page (with `live=`): kept with the page,
    and filled in afresh by `live` each time the page is served. `name` says which (no ">")."""
    return f"<!--live {name}-->{html}<!--/live-->"


def _without_live_marks(response: HttpResponse) -> HttpResponse:
    """The page as drawn, its live parts' marks taken out."""
    if not response.streaming:
        response.content = _LIVE_MARKS.sub("", response.content.decode())
    return response


def _live_filled(html: str, live: Callable[[list[str]], dict[str, str]]) -> str:
    """A kept page with its live parts filled in afresh (and their marks taken out)."""
    names = [name for name, _ in _LIVE_PART.findall(html)]
    fresh = live(names) if names else {}
    return _LIVE_PART.sub(lambda part: fresh.get(part[1], part[2]), html)


def cached_page(
    request: HttpRequest,
    draw: Callable[[], HttpResponse],
    *,
    events: Iterable[str] = (),
    networks: Iterable[str] = (),
    lists: Iterable[str] = (),
    live: Callable[[list[str]], dict[str, str]] | None = None,
) -> HttpResponse:
    """The page `draw()` makes for this request, kept under the versions of the events and
    networks (by slug) and the lists (EVENT_DETAILS, NETWORK_LISTS) it shows and of the person
    looking. `live`: for a page with live parts (live_part), gives the fresh HTML of the parts
    named (a part it leaves out keeps what was drawn); a page drawn now is served as drawn."""
    pages = caches["pages"]
    if isinstance(pages, DummyCache) or request.method != "GET" or len(get_messages(request)):
        # Kept pages are turned off (PAGE_FRAGMENT_CACHE=false), or a message waits.
        return _without_live_marks(draw()) if live else draw()
    key = _page_key(request, events=events, networks=networks, lists=lists)
    if key is None:
        return _without_live_marks(draw()) if live else draw()
    html = pages.get(key)
    if html is not None:
        if live:
            html = _live_filled(html, live)
        if _CSRF_HOLE not in html:
            return HttpResponse(html)  # no form: no token to make (it costs more than the rest)
        token = get_token(request)
        return HttpResponse(html.replace(_CSRF_HOLE, f'name="csrfmiddlewaretoken" value="{token}"'))
    response = draw()
    if (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
    ):
        pages.set(key, _CSRF_FIELD.sub(_CSRF_EMPTY, response.content.decode()), PAGE_SECONDS)
    return _without_live_marks(response) if live else response
