"""Django's Redis cache, made to fail soft: with Redis down or not answering, a read is a miss and
a write is dropped (and logged), so a page never fails because its cache did.

What the portal keeps in the cache is only ever a copy or a count (cached pages and sessions,
rate limits): losing it for the length of an outage costs speed, not correctness. Sessions are
cached in front of the database (`cached_db`), so people stay signed in.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _logged(operation: str) -> None:
    logger.warning("The cache is unavailable (%s); carrying on without it", operation, exc_info=True)


class FailSoftRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE:
            _logged("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE:
            _logged("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE:
            _logged("has_key")
            return False

    def add(self, *args, **kwargs):
        try:
            return super().add(*args, **kwargs)
        except UNAVAILABLE:
            _logged("add")
            return False

    def set(self, *args, **kwargs):
        try:
            return super().set(*args, **kwargs)
        except UNAVAILABLE:
            _logged("set")
            return None

    def set_many(self, data, *args, **kwargs):
        try:
            return super().set_many(data, *args, **kwargs)
        except UNAVAILABLE:
            _logged("set_many")
            return list(data)

    def touch(self, *args, **kwargs):
        try:
            return super().touch(*args, **kwargs)
        except UNAVAILABLE:
            _logged("touch")
            return False

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        except UNAVAILABLE:
            _logged("delete")
            return False

    def delete_many(self, *args, **kwargs):
        try:
            return super().delete_many(*args, **kwargs)
        except UNAVAILABLE:
            _logged("delete_many")
            return None

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE:
            _logged("incr")
            return delta

    def clear(self):
        try:
            return super().clear()
        except UNAVAILABLE:
            _logged("clear")
            return False
