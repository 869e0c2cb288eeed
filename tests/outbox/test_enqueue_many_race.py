"""Two runs owing the same emails at once (a duplicated beat, a retried task): each reports the
rows it wrote itself, so logs, admin messages and a newsletter's recipient count add up.

SQLite serialises every write, so the race only exists on PostgreSQL; this skips on a
developer's SQLite and fails in CI (CI=true) if PostgreSQL is missing."""

import threading
import time

import pytest
from django.db import connection, transaction

from followup.services import FEEDBACK_REQUEST
from outbox.models import Email
from outbox.services import enqueue_many
from tests.helpers import need

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = [f"race-test:{n}" for n in range(5)]


@pytest.fixture(autouse=True)
def _postgresql():
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL): SQLite serialises writes")


def owed() -> list[Email]:
    return [
        Email(kind=FEEDBACK_REQUEST, to=f"person{n}@camden.gov.uk", dedup_key=key)
        for n, key in enumerate(KEYS)
    ]


def wait_until_someone_waits_for_a_lock(deadline_seconds: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
                ["%INSERT INTO%outbox_email%"],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("the second run never waited for the first one's rows")


def test_a_run_racing_another_on_the_same_keys_reports_only_the_rows_it_wrote():
    written, errors = {}, []
    first_has_written, first_may_commit = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                written["first"] = enqueue_many(emails=owed())
                first_has_written.set()
                first_may_commit.wait(30)
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            first_has_written.set()
            connection.close()

    def second():
        try:
            first_has_written.wait(30)
            with transaction.atomic():
                # Its inserts wait for the first run's uncommitted rows, then leave them out.
                written["second"] = enqueue_many(emails=owed())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_has_written.wait(30)
    try:
        wait_until_someone_waits_for_a_lock()
    finally:
        first_may_commit.set()
        for thread in threads:
            thread.join(60)

    assert errors == []
    assert written == {"first": len(KEYS), "second": 0}
    assert Email.objects.filter(dedup_key__in=KEYS).count() == len(KEYS)


def test_rows_already_owed_are_left_out_and_not_counted():
    with transaction.atomic():
        assert enqueue_many(emails=owed()[:2]) == 2
    with transaction.atomic():
        rows = [*owed(), Email(kind=FEEDBACK_REQUEST, to="no-key@camden.gov.uk")]
        assert enqueue_many(emails=rows) == 4  # three new keys and the row without one
    assert Email.objects.count() == 6
