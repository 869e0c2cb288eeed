import os

# Sync Playwright runs an event loop in the test thread; Django would otherwise refuse the
# database calls made by fixtures in the same thread. Tests only, never in settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import caches

from tests.factories import OrganisationFactory, UserFactory


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
