"""A PostgreSQL cluster of one test's own: initdb into a fresh folder, a free loopback port,
started and stopped by the test by the postmaster's pid, so the test can restart the database
itself without touching the server `.ci/run` (or scripts/services.sh) started for everyone else.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "loti"


def postgres_binaries_missing() -> str | None:
    """Why a cluster cannot be made here, or None."""
    for name in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / name).exists():
            return f"needs the PostgreSQL server binaries ({PG_BIN / name} not found; set PG_BIN)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "needs runuser to run PostgreSQL as the postgres user"
    return None


class PostgresCluster:
    """initdb, start, stop and start again on the same port and data, by the postmaster's pid.

    Durability is PostgreSQL's default (synchronous commit), so a restart keeps every committed
    transaction, as on a real server; only fsync is off (the machine does not crash in a test).
    """

    def __init__(self):
        # A fresh world-traversable parent: the server runs as `postgres` when the test is root.
        self.root = Path(tempfile.mkdtemp(prefix="loti-test-pg."))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.pid = None

    def _run(self, *command, **kwargs):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], cwd=self.root, check=True, capture_output=True, **kwargs)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def init(self):
        self.data.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.root, "postgres", "postgres")
        # Trust on loopback only: a throwaway server for this test, listening on 127.0.0.1 alone.
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--no-locale",
            "--auth=trust",
        )  # fmt: skip
        return self

    def start(self, timeout: float = 30.0):
        """Start the postmaster (it daemonises) and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(int(timeout)),
            "-o", options, "start",
        )  # fmt: skip
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Shut down as a restart does (a fast shutdown: SIGINT to the postmaster, every session
        cut, every committed transaction kept) and wait for the process to go."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGINT)
        except ProcessLookupError:
            self.pid = None
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(self.pid):
            time.sleep(0.05)
        if _alive(self.pid):
            os.kill(self.pid, signal.SIGQUIT)
        self.pid = None

    def restart(self, *, down_for: float) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_dsn("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')

    def admin_dsn(self, database: str = DATABASE) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database} connect_timeout=2"

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
