"""The staff engagement dashboard under load, at both sizes of the dataset.

The dashboard reads the monthly rollups (engagement.services.rollup_refresh, hourly on beat), so
at each size the rollup is rewritten first, as beat would, and timed. Besides its speed and its
query count, the benchmark checks what the dashboard's queries read: the rollup tables, never the
registrations or memberships themselves (no chart computed per request from raw rows).
"""

import time

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .pages import Page

BENCH_STAFF_EMAIL = "bench.staff@loti.london"
DASHBOARD = Page("dashboard", "Engagement dashboard, staff (last 12 months)", "engagement:dashboard")
MAX_QUERIES = 12  # issue 17
# Tables a per-request chart would read if it were counted from raw rows.
RAW_TABLES = ("events_registration", "networks_membership")


@transaction.atomic
def staff_user():
    """The member of staff the dashboard is measured as (made once; the dashboard is staff only)."""
    from allauth.account.models import EmailAddress

    from accounts.models import Organisation, User

    user = User.objects.filter(email=BENCH_STAFF_EMAIL).first()
    if user is None:
        loti = Organisation.objects.filter(name="London Office of Technology and Innovation").first()
        user = User.objects.create(
            email=BENCH_STAFF_EMAIL,
            full_name="Bench Staff",
            is_staff=True,
            organisation=loti,
            password=make_password("bench-only-password-2026"),
        )
        EmailAddress.objects.create(user=user, email=BENCH_STAFF_EMAIL, verified=True, primary=True)
    return user


def rollup_refresh() -> dict:
    """Rewrite the monthly rollups from the registrations and memberships as they are now, as the
    hourly beat job does; returns the rows written and the seconds it took."""
    from engagement.services import rollup_refresh as refresh

    started = time.perf_counter()
    rows = refresh()
    return {**rows, "seconds": round(time.perf_counter() - started, 2)}


def raw_reads(path: str, user) -> list[str]:
    """The queries of one request for `path` that read registrations or memberships rather than
    the rollups (whole statements, unlike the shortened ones kept with the query count)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .pages import MODEL_BACKEND

    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return [
        query["sql"]
        for query in captured.captured_queries
        if any(f'"{table}"' in query["sql"] for table in RAW_TABLES)
    ]


def measure(server, dataset, staff, *, seconds: int, rounds: int, measure_pages) -> dict:
    """The dashboard beside the floor (bench.run.measure_pages), with its rollup refreshed first."""
    rollup = rollup_refresh()
    results = measure_pages(server, dataset, staff, seconds=seconds, rounds=rounds, pages=(DASHBOARD,))
    entry = results[DASHBOARD.key]
    entry["rollup"] = rollup
    if entry.get("path"):
        entry["raw_reads"] = raw_reads(entry["path"], staff)
    return results
