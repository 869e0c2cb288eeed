"""Django's Redis cache, reusing one Redis client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and building one
fills its table of some 170 response callbacks: about a tenth of a millisecond each time, several
times a request (the session, then whatever the page reads from the cache). A `redis.Redis` is
safe to share between threads (each command takes a connection from the pool), so one per pool
does.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
