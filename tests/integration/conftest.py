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
    """An SMTP server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self, delay: float = 0.0):
        from aiosmtpd.controller import Controller

        self.messages = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
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
        return self

    def stop(self):
        self.controller.stop()

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

    def start(self, timeout=30.0):
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


def worker_env(sink) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "EMAIL_URL": sink.url,
        "DEBUG": "true",
        "TESTING": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
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
