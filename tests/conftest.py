import os
from functools import partial

# Sync Playwright runs an event loop in the test thread; Django would otherwise refuse the
# database calls made by fixtures in the same thread. Tests only, never in settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import caches

from tests.factories import OrganisationFactory, UserFactory

# The tests that take longest (`make test PYTEST_ARGS=--durations=30` against the services), started
# first so that the parallel processes share them out rather than one of them running last alone.
LONGEST_FIRST = (
    "tests/test_fragment_cache.py::test_pages_look_the_same_with_rendered_parts_cached_or_not",
    "tests/browser/test_accessibility_crawl.py::test_signed_in_pages_pass_axe",
    "tests/engagement/test_dashboard.py::test_the_dashboard_runs_the_same_queries_at_1000_and_20000",
    "tests/browser/test_admin_accessibility.py::test_every_admin_page_of_each_model_passes_axe",
    "tests/integration/test_database_restart.py::",
    "tests/integration/test_faults.py::",
)
LONG_FOLDERS = ("tests/browser/", "tests/integration/")


def _how_long(item) -> int:
    for rank, prefix in enumerate(LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    if item.nodeid.startswith(LONG_FOLDERS):
        return len(LONGEST_FIRST)
    return len(LONGEST_FIRST) + 1


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Longest first. pytest-django sorts afterwards (a stable sort) so that every test on the
    database in a transaction it rolls back runs before those that empty the tables, as Django
    does; this order holds within each of its groups. `make test` hands the tests out one at a
    time (--maxschedchunk=1), so each process takes the next longest as it frees up."""
    items.sort(key=_how_long)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _materials_in_a_temporary_folder(settings, tmp_path):
    """Files shared after sessions go to the test's own folder, never to var/."""
    settings.MATERIALS_ROOT = tmp_path / "materials"


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits live in the cache: every test starts with none used."""
    for alias in ("default", "fragments", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "fragments", "pages"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit tests run tasks in-process; integration tests (marked) use the real worker."""
    from loti_portal.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _broker_not_paused():
    """A test that found the broker down leaves this process's pause on handing out (the outbox's
    BROKER_PAUSE_SECONDS) to itself: the next test starts trying the broker at once."""
    from outbox import services

    services._broker_paused_until = 0.0
    yield
    services._broker_paused_until = 0.0


@pytest.fixture
def org(db):
    return OrganisationFactory(
        name="Camden", kind="borough", membership_status="member", domains=["camden.gov.uk"]
    )


@pytest.fixture
def other_org(db):
    return OrganisationFactory(
        name="Hackney", kind="borough", membership_status="member", domains=["hackney.gov.uk"]
    )


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@loti.london", full_name="Sam Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def member(org):
    return UserFactory(email="amara@camden.gov.uk", full_name="Amara Member", organisation=org)


@pytest.fixture
def outsider(other_org):
    return UserFactory(email="olly@hackney.gov.uk", full_name="Olly Outsider", organisation=other_org)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` runs what the block queued for after commit (the emails, the
    renewed versions of kept pages), as a real commit would."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def pages_kept():
    """For tests of what whole pages kept (loti_portal/versions.py) show: they must be kept."""
    from django.core.cache.backends.dummy import DummyCache

    assert not isinstance(caches["pages"], DummyCache), "this test needs whole pages kept"


@pytest.fixture
def staff_browser(staff):
    """A browser of its own signed in as staff, beside `client` (someone else's). What each of its
    requests changes counts as committed when the request ends: its commit hooks run then (the
    versions of kept pages are renewed after commit), as each request's own transaction does in
    production, though the test's transaction never commits."""
    from django.test import Client, TestCase

    class Committing(Client):
        def request(self, **request):
            with TestCase.captureOnCommitCallbacks(execute=True):
                return super().request(**request)

    client = Committing()
    client.force_login(staff)
    return client
