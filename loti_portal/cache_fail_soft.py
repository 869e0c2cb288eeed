"""The shared cache on Redis, made to fail soft: with Redis down or not answering, a read is a miss
and a write is dropped (and logged), so a page never fails because its cache did.

What the portal keeps in the cache is only ever a copy or a count (cached pages and sessions,
rate limits): losing it for the length of an outage costs speed, not correctness. Sessions are
cached in front of the database (`cached_db`), so people stay signed in.

It is a cache backend of its own (Django's documented `BaseCache`, over redis-py's public
client) rather than Django's RedisCache, because that one builds a new redis-py client, with its
few hundred reply handlers, for every single read or write: every page paid for it twice or more.
Here each process keeps one client per address, whose connection pool is safe to share between
threads and starts afresh after a fork. What is stored is what Django's RedisCache stores (whole
numbers as they are, so that `incr` is atomic, everything else pickled), so the two can read each
other's entries.
"""

import logging
import pickle
import threading

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_clients: dict[tuple, redis.Redis] = {}
_clients_lock = threading.Lock()


def _client_for(location: str, options: dict) -> redis.Redis:
    key = (location, tuple(sorted(options.items())))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = redis.Redis.from_url(location, **options)
    return client


def _dumps(value) -> bytes | int:
    # type(), not isinstance(): True stays True, not 1.
    return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes):
    try:
        return int(data)
    except ValueError:
        # Only the portal writes to its Redis, which listens on a private address.
        return pickle.loads(data)  # noqa: S301


def _logged(operation: str) -> None:
    logger.warning("The cache is unavailable (%s); carrying on without it", operation, exc_info=True)


class FailSoftRedisCache(BaseCache):
    """LOCATION is one redis:// (or rediss://, unix://) address; OPTIONS are redis-py's (for
    example socket_connect_timeout and socket_timeout, in seconds)."""

    def __init__(self, server, params):
        super().__init__(params)
        if not isinstance(server, str):
            (server,) = server
        self.location = server
        self.options = dict(params.get("OPTIONS", {}))

    @cached_property
    def client(self) -> redis.Redis:
        # Django makes a backend per thread; they all share the process's client for the address.
        return _client_for(self.location, self.options)

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout == DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        # None keeps the entry for good; zero or less removes it (as Django's RedisCache does).
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        try:
            if timeout == 0:
                added = bool(self.client.set(key, _dumps(value), nx=True))
                if added:
                    self.client.delete(key)
                return added
            return bool(self.client.set(key, _dumps(value), ex=timeout, nx=True))
        except UNAVAILABLE:
            _logged("add")
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            data = self.client.get(key)
        except UNAVAILABLE:
            _logged("get")
            return default
        return default if data is None else _loads(data)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        try:
            if timeout == 0:
                self.client.delete(key)
            else:
                self.client.set(key, _dumps(value), ex=timeout)
        except UNAVAILABLE:
            _logged("set")

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        try:
            if timeout is None:
                return bool(self.client.persist(key))
            return bool(self.client.expire(key, timeout))
        except UNAVAILABLE:
            _logged("touch")
            return False

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            return bool(self.client.delete(key))
        except UNAVAILABLE:
            _logged("delete")
            return False

    def get_many(self, keys, version=None):
        names = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not names:
            return {}
        try:
            found = self.client.mget(list(names))
        except UNAVAILABLE:
            _logged("get_many")
            return {}
        pairs = zip(names, found, strict=True)
        return {names[name]: _loads(data) for name, data in pairs if data is not None}

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            return bool(self.client.exists(key))
        except UNAVAILABLE:
            _logged("has_key")
            return False

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            if not self.client.exists(key):
                raise ValueError(f"Key '{key}' not found.")
            return self.client.incr(key, delta)
        except UNAVAILABLE:
            _logged("incr")
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        timeout = self.get_backend_timeout(timeout)
        values = {
            self.make_and_validate_key(key, version=version): _dumps(value) for key, value in data.items()
        }
        try:
            if timeout == 0:
                self.client.delete(*values)
                return []
            pipeline = self.client.pipeline()
            pipeline.mset(values)
            if timeout is not None:
                # Redis's MSET takes no expiry: each key is given its own.
                for key in values:
                    pipeline.expire(key, timeout)
            pipeline.execute()
        except UNAVAILABLE:
            _logged("set_many")
            return list(data)
        return []

    def delete_many(self, keys, version=None):
        names = [self.make_and_validate_key(key, version=version) for key in keys]
        if not names:
            return
        try:
            self.client.delete(*names)
        except UNAVAILABLE:
            _logged("delete_many")

    def clear(self):
        try:
            return bool(self.client.flushdb())
        except UNAVAILABLE:
            _logged("clear")
            return False
