"""CPU time per request of each benchmarked page, in this process, with Django's test client.

    python -m bench.profile [--build quick|full] [--requests N] [--uncached | --after-write]
                            [--profile PAGE] [--only pages|register] [--sql ROW]

Against the PostgreSQL in DATABASE_URL (production settings, as `make bench` serves them),
signed in as the benchmark's member. `--build` first builds the benchmark's dataset into an
empty database; without it the dataset already there is used. Each page is requested once to
warm up, then N times; the figures are wall and CPU milliseconds per request (median), the
queries one request runs and the Python function calls it makes (which the machine's load does
not change). By default the pages are kept (loti_portal/versions.py) and every measured request
after the first is served from the cache; `--after-write` renews the versions a registration
for the measured event would before each request (that event's and the lists of events'), so
those pages are drawn again with only the rendered parts of other events kept (the networks
pages do not show registrations and stay kept); `--uncached`
draws everything afresh. The row `layout` is a signed-in page that draws the portal's layout
alone (/benchmark/layout): what every signed-in page pays before its own content. `--profile
PAGE` (a key such as `events_list`) prints the functions that cost most in that page, from
cProfile. The machine is shared: compare CPU times, run twice.

After the pages, two rows measure a registration: `register` is a member posting the form of a
new session (as the contention benchmark does, each request another person who has just opened
the form), with places free; `register_waitlist` the same once the session is full. The redirect
is not followed. `--profile register` profiles it, `--sql register` prints its queries, and
`--only register` (or `--only pages`) measures only those rows.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time


def _measured_slugs() -> tuple[str, str]:
    """The event and network the benchmark measures (bench.dataset.build chooses them so)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from events.models import Event, Registration
    from networks.models import Network

    event = (
        Event.objects.filter(
            status=Event.Status.PUBLISHED, audience=Event.Audience.SIGNED_IN, start__gt=timezone.now()
        )
        .annotate(
            taken=Count("registrations", filter=~Q(registrations__status=Registration.Status.CANCELLED))
        )
        .order_by("-taken", "id")
        .first()
    )
    network = Network.objects.annotate(roster=Count("memberships")).order_by("-roster", "id").first()
    return event.slug, network.slug


CALL_COUNT_REQUESTS = 5


def _layout_page():
    """Profiled, not loaded: the shared cost of a signed-in page (the layout and nothing in it)."""
    from .pages import Page

    return Page("layout", "The layout alone, signed in", "benchmark-layout", has_targets=False)


# Where a request's time goes: (label, file ending, function name); cumulative, outermost calls.
PARTS = (
    ("whole request", "django/test/client.py", "request"),
    ("the view", "django/core/handlers/base.py", "_get_response"),
    ("templates", "django/template/backends/django.py", "render"),
    ("building SQL", "django/db/models/sql/compiler.py", "as_sql"),
    ("running SQL", "django/db/backends/utils.py", "execute"),
    ("model instances", "django/db/models/base.py", "from_db"),
    ("the session", "django/contrib/sessions/backends/base.py", "_get_session"),
    ("the person", "django/contrib/auth/__init__.py", "get_user"),
    ("fragment cache", "django/templatetags/cache.py", "render"),
)


def _breakdown(stats: pstats.Stats, requests: int) -> None:
    totals = dict.fromkeys((label for label, _, _ in PARTS), 0.0)
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        for label, ending, name in PARTS:
            if function == name and filename.endswith(ending):
                totals[label] += cumulative
    for label, total in totals.items():
        print(f"    {label:<18}{total / requests * 1000:>8.1f} ms")


def _print_row(key, walls, cpus, queries, counter, profiler, args) -> None:
    """One row of the table: median wall and CPU ms, queries, Python calls per request (from
    `counter`, which ran CALL_COUNT_REQUESTS requests), then cProfile's top functions if asked."""
    calls = sum(entry[1] for entry in pstats.Stats(counter).stats.values()) // CALL_COUNT_REQUESTS
    print(
        f"{key:<16}{statistics.median(walls) * 1000:>9.1f}{statistics.median(cpus) * 1000:>9.1f}"
        f"{queries:>9}{calls:>9}"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        _breakdown(stats, args.requests)
        if args.top:
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", choices=("quick", "full"), help="build the dataset first")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--uncached", action="store_true", help="PAGE_FRAGMENT_CACHE=false")
    parser.add_argument(
        "--after-write", action="store_true", help="renew the measured event's versions before each request"
    )
    parser.add_argument("--profile", metavar="PAGE", help="print cProfile's top functions for PAGE")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql", metavar="ROW", help="print the queries of one request of a register row")
    parser.add_argument(
        "--only", choices=("pages", "register"), help="measure only the pages, or only registering"
    )
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("bench.profile: DATABASE_URL must point at a throwaway PostgreSQL", file=sys.stderr)
        return 2
    from .server import production_environment

    os.environ.update(
        production_environment(database_url=database_url, redis_url=os.environ.get("REDIS_URL", ""))
    )
    if args.uncached:
        os.environ["PAGE_FRAGMENT_CACHE"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from events.models import Event, Registration
    from loti_portal import versions

    from . import dataset, pages

    call_command("collectstatic", interactive=False, verbosity=0)
    if args.build:
        call_command("migrate", interactive=False, verbosity=0)
        sizes = dataset.QUICK if args.build == "quick" else dataset.FULL
        data = dataset.build(sizes)
        dataset.load_registrations(data, sizes.registrations)
        event_slug, network_slug = data.event_slug, data.network_slug
    else:
        event_slug, network_slug = _measured_slugs()

    class Found:
        pass

    found = Found()
    found.event_slug, found.network_slug = event_slug, network_slug
    user = User.objects.get(email=dataset.BENCH_MEMBER_EMAIL)
    signed_in = Client()
    signed_in.force_login(user, backend=pages.MODEL_BACKEND)
    print(f"{Registration.objects.count():,} registrations, {Event.objects.count():,} events")

    def before_request() -> None:
        # What a registration for the measured event renews (outside a transaction: at once).
        if args.after_write:
            versions.event_registrations_changed(slug=event_slug)

    print(f"{'page':<16}{'wall ms':>9}{'cpu ms':>9}{'queries':>9}{'calls':>9}")
    anonymous = Client()
    for page in (pages.FLOOR, _layout_page(), *pages.PAGES) if args.only != "register" else ():
        path = pages.page_path(page, found)
        if path is None:
            continue
        client = signed_in if page.signed_in else anonymous
        client.get(path)
        before_request()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
        walls, cpus = [], []
        profiler = cProfile.Profile() if args.profile == page.key else None
        for _ in range(args.requests):
            before_request()
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            client.get(path)
            if profiler:
                profiler.disable()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            reset_queries()
        # Python function calls per request: a measure of the work that the machine's load does
        # not move, to compare a change with what it replaced.
        counter = cProfile.Profile()
        counter.enable()
        for _ in range(CALL_COUNT_REQUESTS):
            counter.disable()
            before_request()
            counter.enable()
            client.get(path)
        counter.disable()
        _print_row(page.key, walls, cpus, queries, counter, profiler, args)
    for key, places in (("register", 100_000), ("register_waitlist", 1)) if args.only != "pages" else ():
        _measure_register(key, places=places, args=args)
    return 0


def _measure_register(key: str, *, places: int, args) -> None:
    """One row: a member posting the registration form of a new session (no questions), as the
    contention benchmark does, each request by another person. With `places` 1 the first (warm-up)
    takes the place and every measured one joins the waiting list. The redirect is not followed."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from . import contention, pages

    event = contention.create_event(places=places)
    path = reverse("events:event-register", args=[event.slug])
    people = contention.create_people(2 + args.requests + CALL_COUNT_REQUESTS)

    # One client (one handler, its middleware loaded once), signed in as the next person each time.
    shared = Client()

    def signed_in_client():
        shared.force_login(people.pop(), backend=pages.MODEL_BACKEND)
        shared.get(path)  # the person opens the form first, as in the race
        return shared

    def post(client):
        response = client.post(path, {})
        assert response.status_code == 302, (path, response.status_code)

    post(signed_in_client())  # warm-up
    client = signed_in_client()
    with CaptureQueriesContext(connection) as captured:
        post(client)
    queries, sql = len(captured), [query["sql"] for query in captured.captured_queries]
    walls, cpus = [], []
    profiler = cProfile.Profile() if args.profile == key else None
    for _ in range(args.requests):
        client = signed_in_client()
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        post(client)
        if profiler:
            profiler.disable()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        reset_queries()
    counter = cProfile.Profile()
    for _ in range(CALL_COUNT_REQUESTS):
        client = signed_in_client()
        counter.enable()
        post(client)
        counter.disable()
    _print_row(key, walls, cpus, queries, counter, profiler, args)
    if args.sql == key:
        for text in sql:
            print("   ", text[:400])


if __name__ == "__main__":
    sys.exit(main())
