"""Registrations and cancellations in the background, through the service, at a steady rate.

While a page is measured, threads register members for upcoming sessions anyone signed in may
join, and cancel registrations they made, alternating, spread over many events, at the rate asked
for (one thread keeps time, WRITERS write): what a live portal sees while people sign up. Each
write is one call of `registration_create` or `registration_cancel`, in its own transaction with
the event row locked, as the form's would be.
"""

import queue
import random
import threading
import time
from collections import deque
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import User
from events.models import Event, Registration
from events.services import RegistrationRefused, registration_cancel, registration_create

# Events written to: the upcoming open sessions, at most this many (spread, as people are).
EVENTS_WRITTEN_TO = 50
# Threads writing, each with its own database connection: enough for the rates asked for even
# when one write takes several intervals.
WRITERS = 4


@dataclass
class WriteCounts:
    rate: float
    seconds: float = 0.0
    registered: int = 0
    cancelled: int = 0
    refused: int = 0
    errors: int = 0
    late: int = 0  # writes that started more than one interval after their time

    @property
    def achieved_per_second(self) -> float:
        done = self.registered + self.cancelled + self.refused
        return round(done / self.seconds, 2) if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "rate": self.rate,
            "seconds": round(self.seconds, 1),
            "registered": self.registered,
            "cancelled": self.cancelled,
            "refused": self.refused,
            "errors": self.errors,
            "late": self.late,
            "achieved_per_second": self.achieved_per_second,
        }


def _targets(rng: random.Random) -> tuple[list[int], list[int]]:
    """Upcoming sessions open to anyone signed in, and members with an organisation."""
    now = timezone.now()
    events = list(
        Event.objects.filter(
            status=Event.Status.PUBLISHED, audience=Event.Audience.SIGNED_IN, start__gt=now
        ).values_list("pk", flat=True)
    )
    rng.shuffle(events)
    people = list(User.objects.filter(is_active=True, is_staff=False).values_list("pk", flat=True)[:5000])
    return events[:EVENTS_WRITTEN_TO], people


class BackgroundWrites:
    """`with BackgroundWrites(rate=5): …` writes `rate` times a second until the block ends.

    One thread keeps time and hands each write, when it is due, to one of WRITERS threads (each
    with its own database connection), so that a write slower than the interval (a busy box, a
    lock held) does not slow the rate asked for: writes then overlap, as people's would."""

    def __init__(self, *, rate: float, seed: int = 2026):
        self.counts = WriteCounts(rate=rate)
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._due: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()  # the counts, the random choices and the registrations made
        self._made = deque()  # registrations made here and not cancelled yet
        self._targets: tuple[list[int], list[int]] = ([], [])

    def __enter__(self) -> "BackgroundWrites":
        if self.counts.rate > 0:
            self._targets = _targets(self._rng)
            close_old_connections()
            self._threads = [
                threading.Thread(target=self._write, name=f"bench-writes-{n}", daemon=True)
                for n in range(WRITERS)
            ]
            self._threads.insert(
                0, threading.Thread(target=self._keep_time, name="bench-writes", daemon=True)
            )
            for thread in self._threads:
                thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _keep_time(self) -> None:
        events, people = self._targets
        try:
            if not events or not people:
                return
            interval = 1.0 / self.counts.rate
            began = time.perf_counter()
            due = began
            while not self._stop.is_set():
                now = time.perf_counter()
                if now < due:
                    self._stop.wait(due - now)
                    continue
                self._due.put(due)
                due += interval
            self.counts.seconds = time.perf_counter() - began
        finally:
            for _ in range(WRITERS):
                self._due.put(None)

    def _write(self) -> None:
        events, people = self._targets
        interval = 1.0 / self.counts.rate
        try:
            while (due := self._due.get()) is not None:
                if self._stop.is_set():
                    continue  # what was due when the block ended is not written
                with self._lock:
                    if time.perf_counter() - due > interval:
                        self.counts.late += 1
                    # Alternate: cancel the oldest registration made here once there are a few.
                    cancel = len(self._made) > 20 and self._rng.random() < 0.5
                    registration = self._made.popleft() if cancel else None
                    event_id, user_id = self._rng.choice(events), self._rng.choice(people)
                close_old_connections()
                if registration is not None:
                    self._count(self._cancel(registration))
                    continue
                outcome, made = self._register(event_id, user_id)
                self._count(outcome)
                if made is not None:
                    with self._lock:
                        self._made.append(made)
        finally:
            connection.close()

    def _count(self, outcome: str) -> None:
        with self._lock:
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)

    def _register(self, event_id: int, user_id: int) -> tuple[str, Registration | None]:
        """One registration, as the form's would be; its outcome (a WriteCounts field) and it."""
        try:
            event = Event.objects.get(pk=event_id)
            user = User.objects.get(pk=user_id)
            registration = registration_create(event=event, user=user, answers={}, acting_user=user)
        except RegistrationRefused:
            return "refused", None
        except Exception:  # counted and reported: the benchmark must finish
            return "errors", None
        return "registered", registration

    def _cancel(self, registration: Registration) -> str:
        try:
            registration_cancel(registration=registration, acting_user=registration.user)
        except RegistrationRefused:
            return "refused"
        except Exception:  # counted and reported: the benchmark must finish
            return "errors"
        return "cancelled"
