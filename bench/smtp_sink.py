"""An SMTP sink on loopback in its own process, counting what it accepts in shared memory.

Its own process, so that neither the sender measured against it (this process, for the raw rate)
nor anything else here shares an interpreter lock with it. Imports nothing from Django: the
child process is spawned fresh and imports only this module.
"""

import multiprocessing
import socket
import time

LOOPBACK = "127.0.0.1"


def _serve(port, count, ready, stop) -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with count.get_lock():
                count.value += 1
            return "250 OK"

    # aiosmtpd 1.4's Controller cannot take port 0 (start() connects to the port it was given to
    # check the server is up), so ask the system for a free port first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        free = probe.getsockname()[1]
    controller = Controller(Handler(), hostname=LOOPBACK, port=free, data_size_limit=10 * 1024 * 1024)
    controller.start()
    port.value = free
    ready.set()
    stop.wait(timeout=3600)
    controller.stop()


class SinkProcess:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self._count = context.Value("q", 0)
        self._port = context.Value("i", 0)
        self._ready = context.Event()
        self._stop = context.Event()
        self.process = context.Process(
            target=_serve, args=(self._port, self._count, self._ready, self._stop), daemon=True
        )

    def start(self, timeout: float = 30.0) -> "SinkProcess":
        self.process.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("the SMTP sink did not start")
        return self

    @property
    def port(self) -> int:
        return self._port.value

    @property
    def url(self) -> str:
        return f"smtp://{LOOPBACK}:{self.port}"

    def received(self) -> int:
        return self._count.value

    def reset(self) -> None:
        with self._count.get_lock():
            self._count.value = 0

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.received() >= count:
                return True
            time.sleep(0.01)
        return self.received() >= count

    def stop(self) -> None:
        self._stop.set()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
