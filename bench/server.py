"""Serve the portal with gunicorn and production settings on loopback, and run a Celery worker.

Both are started in their own process group and stopped by their own pid (then that group, if
anything is left). Nothing here looks for processes by name.
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def production_environment(*, database_url: str, redis_url: str, email_url: str = "dummymail://") -> dict:
    """The environment of a production deployment, adjusted only for plain HTTP on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "TESTING", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "loti_portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": f"{LOOPBACK},localhost,testserver",
            "SITE_URL": f"http://{LOOPBACK}",
            # No TLS on loopback: a redirect to https:// would measure nothing.
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": redis_url,
            "EMAIL_URL": email_url,
            "BENCHMARK_FLOOR": "true",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _stop(process: subprocess.Popen, *, name: str, grace: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        print(f"  {name} (pid {process.pid}) did not stop in {grace:.0f}s; killing its process group")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return
    # The leader is gone; anything it left in its own group goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class Gunicorn:
    """`gunicorn loti_portal.wsgi` with sync workers on a free loopback port."""

    def __init__(self, env: dict, *, workers: int = 2, log_path: Path):
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.port = None
        self.process = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 60.0) -> "Gunicorn":
        self.port = free_port()
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "loti_portal.wsgi:application",
                f"--bind={LOOPBACK}:{self.port}",
                f"--workers={self.workers}",
                "--worker-class=sync",
                "--timeout=60",
                "--graceful-timeout=10",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, name="gunicorn", grace=20)
            self.log.close()
            self.process = None


class CeleryWorker:
    """A real `celery worker` (prefork, as in docker-compose) on the benchmark's database and Redis."""

    def __init__(self, env: dict, *, concurrency: int = 2, log_path: Path):
        self.env = env
        self.concurrency = concurrency
        self.log_path = log_path
        self.process = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self, timeout: float = 60.0) -> "CeleryWorker":
        from loti_portal.celery import app

        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
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
                f"--hostname=bench-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the Celery worker exited with {self.process.returncode}; see {self.log_path}"
                )
            if app.control.ping(timeout=0.5):
                return self
        self.stop()
        raise RuntimeError(f"the Celery worker did not answer a ping within {timeout:.0f}s")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, name="celery worker", grace=30)
            self.log.close()
            self.process = None


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return total
