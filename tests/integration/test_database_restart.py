"""PostgreSQL really restarted in the middle of a reminder fan-out: nothing lost, and nothing sent
twice beyond the message each pool process had in flight.

The test has a PostgreSQL cluster of its own (tests/integration/postgres_cluster.py), a Redis of
its own and an SMTP sink; the portal runs against them in real processes (migrate, the
`send_due_reminders` command, a Celery worker with two pool processes, beat), and the test stops
the postmaster by its pid mid fan-out and starts it again on the same port. Skips without the
PostgreSQL server binaries or redis-server; fails in CI.
"""

import os
import shutil
import subprocess
import sys
import time
from collections import Counter

import psycopg
import pytest

from tests.helpers import need

from .conftest import ROOT, SHORT_OUTBOX_CLOCKS, BeatProcess, RedisServer, WorkerProcess, _point_celery_at
from .postgres_cluster import PostgresCluster, postgres_binaries_missing

MEMBERS = 300
# At most the message each pool process was sending when the database went (README, "What happens
# when something fails").
POOL_PROCESSES = 2

SET_UP = f"""
from tests.integration.test_reminder_fanout import meeting_with_members
meeting_with_members({MEMBERS})
"""


@pytest.fixture
def own_postgres():
    missing = postgres_binaries_missing()
    need(missing is None, missing or "")
    cluster = PostgresCluster().init().start()
    cluster.create_database()
    yield cluster
    cluster.remove()


@pytest.fixture
def redis_of_its_own(tmp_path):
    from loti_portal.celery import app

    need(shutil.which("redis-server") is not None, "needs redis-server")
    server = RedisServer(tmp_path).start()
    previous = app.conf.broker_url
    _point_celery_at(app, server.url)  # so that WorkerProcess.start can ping the worker
    yield server
    server.stop()
    _point_celery_at(app, previous)


def portal_env(cluster, redis_server, sink) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "REDIS_URL": redis_server.url,
        "EMAIL_URL": sink.url,
        "DEBUG": "true",
        "TESTING": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **SHORT_OUTBOX_CLOCKS,
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def manage(env, *arguments, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def reminder_states(cluster) -> Counter | None:
    """The reminders' states, read straight from the cluster (None while it is down)."""
    try:
        with psycopg.connect(cluster.admin_dsn()) as connection:
            rows = connection.execute(
                "SELECT state, count(*) FROM outbox_email WHERE kind = 'events.reminder' GROUP BY state"
            ).fetchall()
    except psycopg.OperationalError:
        return None
    return Counter(dict(rows))


def wait_until(condition, timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return bool(condition())


def test_postgresql_restarted_mid_fan_out_loses_no_reminder(
    own_postgres, redis_of_its_own, slow_smtp_sink, tmp_path
):
    env = portal_env(own_postgres, redis_of_its_own, slow_smtp_sink)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "-c", SET_UP)
    worker = WorkerProcess(env, concurrency=POOL_PROCESSES).start()
    beat = BeatProcess(env, tmp_path).start()  # its sweeper hands out what the restart left
    try:
        written = manage(env, "send_due_reminders").stdout
        assert f"{MEMBERS} written" in written, written
        # A third of the way: the workers are mid-chunk, each with a message on the wire.
        assert slow_smtp_sink.wait_for(MEMBERS // 3, timeout=90), "the fan-out did not start"
        pid_before = own_postgres.pid
        own_postgres.restart(down_for=3)
        assert own_postgres.pid != pid_before, "the postmaster was restarted"
        delivered_at_restart = slow_smtp_sink.count()
        assert delivered_at_restart < MEMBERS, "the restart came after the fan-out had finished"

        def all_sent():
            states = reminder_states(own_postgres)
            return states is not None and set(states) == {"sent"} and states["sent"] == MEMBERS

        assert wait_until(all_sent, timeout=180, every=1), (
            f"reminders still owed: {reminder_states(own_postgres)}"
        )
        slow_smtp_sink.wait_for(MEMBERS + POOL_PROCESSES + 1, timeout=3)
        got = Counter(message["To"] for message in slow_smtp_sink.messages)
        print(f"\nrestarted after {delivered_at_restart} of {MEMBERS}; {sum(got.values())} messages received")
        assert len(got) == MEMBERS, "every member got their reminder"
        duplicates = sum(times - 1 for times in got.values())
        assert duplicates <= POOL_PROCESSES, f"{duplicates} sent twice"
    finally:
        beat.stop()
        worker.stop()
