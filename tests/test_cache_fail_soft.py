"""The shared cache on Redis: Django's cache API, one client per process, and failing soft."""

import logging

import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from loti_portal.cache_fail_soft import FailSoftRedisCache
from tests.helpers import need

DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_url():
    need(bool(settings.REDIS_URL), "needs Redis (set REDIS_URL)")
    return settings.REDIS_URL


def _cache(location, **params):
    return FailSoftRedisCache(location, {"KEY_PREFIX": "cache-test", **params})


@pytest.fixture
def cache(redis_url):
    cache = _cache(redis_url)
    cache.clear()
    yield cache
    cache.clear()


def test_values_come_back_as_they_were_stored(cache):
    values = {"text": "café", "number": 7, "flag": True, "nothing": None, "nested": {"a": [1, (2, 3)]}}
    for key, value in values.items():
        cache.set(key, value)
    assert {key: cache.get(key, "missing") for key in values} == values
    assert type(cache.get("flag")) is bool
    assert cache.get("absent", "missing") == "missing"


def test_add_keeps_what_is_there_and_zero_or_negative_timeouts_store_nothing(cache):
    assert cache.add("claimed", "first") is True
    assert cache.add("claimed", "second") is False
    assert cache.get("claimed") == "first"
    cache.set("gone", "soon", timeout=0)
    assert cache.add("never", "kept", timeout=-1) is True
    assert cache.get("gone") is None and cache.get("never") is None


def test_counts_go_up_atomically_and_only_when_they_exist(cache):
    cache.set("count", 1)
    assert cache.incr("count") == 2
    assert cache.incr("count", 5) == 7
    assert cache.decr("count") == 6
    with pytest.raises(ValueError):
        cache.incr("no-count")


def test_many_at_once_and_expiry(cache, redis_url):
    assert cache.set_many({"a": 1, "b": "two"}, timeout=30) == []
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": "two"}
    raw = redis.Redis.from_url(redis_url)
    assert 0 < raw.ttl(cache.make_key("a")) <= 30
    assert cache.touch("a", None) is True
    assert raw.ttl(cache.make_key("a")) == -1
    assert cache.has_key("b") and not cache.has_key("c")
    cache.delete_many(["a", "b"])
    assert cache.get_many(["a", "b"]) == {}
    cache.set("forever", "x", timeout=None)
    assert raw.ttl(cache.make_key("forever")) == -1
    assert cache.delete("forever") is True and cache.delete("forever") is False


def test_entries_are_shared_with_djangos_own_redis_cache(cache, redis_url):
    """What Django's RedisCache stored (sessions, rate limits) is read after an upgrade, and back."""
    django_cache = RedisCache(redis_url, {"KEY_PREFIX": "cache-test"})
    django_cache.set("session", {"user": "42"})
    django_cache.set("hits", 3)
    assert cache.get("session") == {"user": "42"}
    assert cache.incr("hits") == 4
    cache.set("page", "<html>")
    assert django_cache.get("page") == "<html>"
    assert django_cache.get("hits") == 4


def test_one_client_serves_every_read_and_write_of_a_process(redis_url, monkeypatch):
    """Building a redis-py client costs a few hundred calls; a page reads the cache several times."""
    built = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    unique = f"{redis_url}?client_name=one-client-test"
    for _ in range(3):  # one backend per thread, as Django makes them
        cache = _cache(unique)
        cache.set("k", "v")
        cache.get("k")
        cache.get_many(["k", "l"])
        cache.add("k", "w")
    assert len(built) == 1


def test_with_redis_down_reads_miss_and_writes_are_dropped(caplog):
    cache = _cache(DEAD, OPTIONS={"socket_connect_timeout": 0.2, "socket_timeout": 0.2})
    with caplog.at_level(logging.WARNING, logger="loti_portal.cache_fail_soft"):
        assert cache.get("k", "default") == "default"
        assert cache.set("k", "v") is None
        assert cache.add("k", "v") is False
        assert cache.get_many(["k"]) == {}
        assert cache.set_many({"k": "v"}) == ["k"]
        assert cache.incr("k") == 1
        assert cache.has_key("k") is False
        assert cache.touch("k") is False
        assert cache.delete("k") is False
        cache.delete_many(["k"])
        assert cache.clear() is False
    assert len(caplog.records) == 11
    assert all("The cache is unavailable" in record.getMessage() for record in caplog.records)
