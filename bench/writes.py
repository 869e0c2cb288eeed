"""Registrations and cancellations in the background, through the service, at a steady rate.

While a page is measured, a thread registers members for upcoming sessions anyone signed in may
join, and cancels registrations it made, alternating, spread over many events: what a live portal
sees while people sign up. Each write is one call of `registration_create` or
`registration_cancel`, in its own transaction with the event row locked, as the form's would be.
"""

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
    """`with BackgroundWrites(rate=5): …` writes `rate` times a second until the block ends."""

    def __init__(self, *, rate: float, seed: int = 2026):
        self.counts = WriteCounts(rate=rate)
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self) -> "BackgroundWrites":
        if self.counts.rate > 0:
            self._thread = threading.Thread(target=self._run, name="bench-writes", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            self._write_steadily()
        finally:
            connection.close()

    def _write_steadily(self) -> None:
        events, people = _targets(self._rng)
        if not events or not people:
            return
        made = deque()  # registrations this thread made and has not cancelled yet
        interval = 1.0 / self.counts.rate
        began = time.perf_counter()
        due = began
        while not self._stop.is_set():
            now = time.perf_counter()
            if now < due:
                self._stop.wait(due - now)
                continue
            if now - due > interval:
                self.counts.late += 1
            due += interval
            close_old_connections()
            # Alternate: cancel the oldest registration made here once there are a few.
            if len(made) > 20 and self._rng.random() < 0.5:
                self._cancel(made.popleft())
            else:
                registration = self._register(self._rng.choice(events), self._rng.choice(people))
                if registration is not None:
                    made.append(registration)
        self.counts.seconds = time.perf_counter() - began

    def _register(self, event_id: int, user_id: int) -> Registration | None:
        try:
            event = Event.objects.get(pk=event_id)
            user = User.objects.get(pk=user_id)
            registration = registration_create(event=event, user=user, answers={}, acting_user=user)
        except RegistrationRefused:
            self.counts.refused += 1
            return None
        except Exception:  # counted and reported: the benchmark must finish
            self.counts.errors += 1
            return None
        self.counts.registered += 1
        return registration

    def _cancel(self, registration: Registration) -> None:
        try:
            registration_cancel(registration=registration, acting_user=registration.user)
        except RegistrationRefused:
            self.counts.refused += 1
            return
        except Exception:  # counted and reported: the benchmark must finish
            self.counts.errors += 1
            return
        self.counts.cancelled += 1
