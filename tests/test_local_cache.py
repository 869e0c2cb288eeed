"""The process's own copy of the public cache, and what each person's pages keep of their standing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from loti_portal import public_cache
from loti_portal.public_cache import (
    PUBLIC_CACHE_SECONDS,
    person_get,
    personal_copy,
    public_changed,
    public_get,
    public_key,
)
from tests.factories import EventFactory, UserFactory


class Reads:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return [self.count]


def test_a_value_is_read_once_and_then_served_from_memory_without_the_shared_cache(db):
    read = Reads()
    first = public_get("test:list", read=read)
    cache.delete(public_key("test:list"))  # as if the shared entry were evicted
    assert public_get("test:list", read=read) is first
    assert read.count == 1


def test_a_process_reads_afresh_once_another_process_raises_the_version(db):
    read = Reads()
    assert public_get("test:list", read=read) == [1]
    # Another process's change: only the shared version moves, not this process's memory.
    cache.incr("public:version")
    assert public_get("test:list", read=read) == [2]


def test_a_process_takes_what_another_process_read_from_the_shared_cache(db):
    read = Reads()
    assert public_get("test:list", read=read) == [1]
    public_cache.forget_local()  # a second process: nothing in its memory yet
    assert public_get("test:list", read=lambda: pytest.fail("read again")) == [1]


def test_memory_keeps_a_value_no_longer_than_the_shared_cache_does(db):
    read = Reads()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        public_get("test:list", read=read)
        traveller.shift(timedelta(seconds=PUBLIC_CACHE_SECONDS - 1))
        public_cache.forget_local()
        public_get("test:list", read=read)  # taken from the shared cache, 1 s of life left
        assert read.count == 1
        traveller.shift(timedelta(seconds=2))
        cache.set(public_key("test:list"), (0, ["stale"]))  # the shared entry outlived its time
        assert public_get("test:list", read=read) == [2]


def test_memory_holds_a_bounded_number_of_entries(db, monkeypatch):
    local = public_cache._LocalCache(max_entries=3)
    monkeypatch.setattr(public_cache, "_local", local)
    for n in range(10):
        public_get("test:n", n, read=lambda n=n: n)
    assert len(local) == 3
    assert public_get("test:n", 9, read=lambda: pytest.fail("evicted too soon")) == 9


def test_a_personal_copy_leaves_the_shared_value_unchanged(db):
    event = public_get("test:event", read=lambda: EventFactory(title="Careers day"))
    mine = personal_copy(event)
    mine.my_status = "confirmed"
    mine.title = "Changed"
    assert not hasattr(event, "my_status")
    assert event.title == "Careers day"
    assert mine.pk == event.pk


def test_person_get_is_per_person_and_read_afresh_after_a_change(db):
    one, two = UserFactory(), UserFactory()
    read = Reads()
    assert person_get(one, "test", read=read) == [1]
    assert person_get(one, "test", read=read) == [1]
    assert person_get(two, "test", read=read) == [2]
    public_changed()
    assert person_get(one, "test", read=read) == [3]


def test_person_get_never_reaches_the_shared_cache(db):
    user = UserFactory()
    person_get(user, "test", read=lambda: ["private"])
    assert cache.get(f"person:{user.pk}:test:{public_cache.public_version()}") is None
    public_cache.forget_local()
    assert person_get(user, "test", read=lambda: ["read again"]) == ["read again"]


@pytest.mark.parametrize("delay", [0, PUBLIC_CACHE_SECONDS + 1])
def test_person_get_keeps_a_standing_at_most_public_cache_seconds(db, delay):
    user = UserFactory()
    read = Reads()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        person_get(user, "test", read=read)
        traveller.shift(timedelta(seconds=delay))
        person_get(user, "test", read=read)
    assert read.count == (1 if delay == 0 else 2)
