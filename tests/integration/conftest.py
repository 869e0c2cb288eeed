"""Real services for integration tests: an SMTP sink on loopback and a Celery worker process.

Both need the real PostgreSQL and Redis that `.ci/run` starts (DATABASE_URL, REDIS_URL). Without
them the tests skip on a developer machine and fail in CI.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers import need

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def real_services(transactional_db):
    need(connection.vendor == "postgresql", "integration tests need PostgreSQL (set DATABASE_URL)")
    need(bool(settings.REDIS_URL), "integration tests need Redis (set REDIS_URL)")


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts.

    It refuses for good (550) any recipient in `refuse`, and can be stopped and started again on
    the same port, as a mail server that goes down and comes back.
    """

    def __init__(self, delay: float = 0.0, refuse: set[str] = frozenset()):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.refuse = set(refuse)
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.lower() in sink.refuse:
                    return "550 5.1.1 No such mailbox here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if delay:
                    await asyncio.sleep(delay)
                with sink._lock:
                    sink.messages.append(message_from_bytes(envelope.original_content))
                return "250 OK"

        # aiosmtpd's Controller checks it is up by connecting to the port it was given, so it
        # needs a real free port rather than 0.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        self.running = True
        return self

    def stop(self):
        if getattr(self, "running", False):
            self.controller.stop()
            self.running = False

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def count(self):
        with self._lock:
            return len(self.messages)

    def wait_for(self, count, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.1)
        return self.count() >= count


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def slow_smtp_sink():
    """A sink that takes 20 ms per message, so a fan-out lasts long enough to be interrupted."""
    sink = SmtpSink(delay=0.02).start()
    yield sink
    sink.stop()


def worker_database_url() -> str:
    """The URL of the test database pytest-django created, for processes we start."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class WorkerProcess:
    """A real `celery worker` in its own process group, on the test database and Redis."""

    def __init__(self, env, concurrency: int = 2):
        self.env = env
        self.concurrency = concurrency
        self.process = None

    def start(self, timeout=90.0):
        from loti_portal.celery import app

        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "loti_portal",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.process.returncode}")
            if app.control.ping(timeout=0.5):
                return self
        raise RuntimeError("the Celery worker did not answer a ping in time")

    def kill(self) -> int:
        """SIGKILL the worker and its pool children at once, as a crash would.

        Returns how many processes were killed.
        """
        if not self.process or self.process.poll() is not None:
            return 0
        group = self.process.pid
        members = 0
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == group:
                        members += 1
                except ProcessLookupError:
                    continue
        os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=10)
        return members

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


# The outbox's clocks for the workers, beat and commands the tests start: the same mechanisms
# as in production (a lease that runs out, beat's sweeper, a requeue of what no worker took), on
# seconds rather than minutes. This process keeps the production ones, for the unit tests.
OUTBOX_LEASE = 8
OUTBOX_SWEEP = 1
OUTBOX_REQUEUE = 5
SHORT_OUTBOX_CLOCKS = {
    "OUTBOX_LEASE_SECONDS": str(OUTBOX_LEASE),
    "OUTBOX_SWEEP_SECONDS": str(OUTBOX_SWEEP),
    "OUTBOX_REQUEUE_SECONDS": str(OUTBOX_REQUEUE),
    "OUTBOX_RETRY_FIRST_SECONDS": "2",
    "OUTBOX_RETRY_MAX_SECONDS": "30",
}


def worker_env(sink) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "EMAIL_URL": sink.url,
        "DEBUG": "true",
        "TESTING": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **SHORT_OUTBOX_CLOCKS,
    }


@pytest.fixture
def celery_worker_process(real_services, smtp_sink):
    worker = WorkerProcess(worker_env(smtp_sink))
    yield worker
    worker.stop()


@pytest.fixture
def single_process_worker(real_services, slow_smtp_sink):
    """One pool process, so killing it interrupts exactly one message in flight."""
    worker = WorkerProcess(worker_env(slow_smtp_sink), concurrency=1)
    yield worker
    worker.stop()


@pytest.fixture
def purge_broker(real_services):
    """Start with an empty queue (what earlier tests may have left is not ours)."""
    from loti_portal.celery import app

    app.control.purge()
    yield
    app.control.purge()


class RedisServer:
    """A redis-server of the test's own on a free loopback port, which the test may stop and start
    again on the same port (the broker going down and coming back)."""

    def __init__(self, directory: Path):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=15.0):
        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture
def own_redis(real_services, tmp_path, settings):
    """A Redis of this test's own, used as the cache and the broker by this process (and by the
    workers the test starts), so the test can stop it without disturbing other tests."""
    import shutil

    from loti_portal.celery import app

    need(shutil.which("redis-server") is not None, "needs redis-server")
    server = RedisServer(tmp_path).start()
    previous = app.conf.broker_url
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": server.url},
    }
    _point_celery_at(app, server.url)
    yield server
    server.stop()
    _point_celery_at(app, previous)


def _point_celery_at(app, url: str) -> None:
    """Make this process's Celery app publish to `url`: its connection and producer pools (made
    on first use and kept) are dropped, so the next task opens them afresh."""
    app.conf.broker_url = url
    app.close()
    vars(app).pop("amqp", None)  # a cached property holding the producer pool


def worker_env_for(sink, redis_server) -> dict:
    """A worker on a Redis of the test's own: it uses that Redis as it is, without the database
    per parallel test process that settings pick for the shared one."""
    env = {**worker_env(sink), "REDIS_URL": redis_server.url}
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


class BeatProcess:
    """A real `celery beat` on its own schedule file, as production runs it beside the workers."""

    def __init__(self, env, directory: Path):
        self.env = env
        self.directory = directory
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "loti_portal",
                "beat",
                "--loglevel=WARNING",
                f"--schedule={self.directory / 'beat-schedule'}",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
