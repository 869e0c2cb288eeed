"""The Redis broker's transport, publishing through one client per channel.

kombu's Redis channel builds a new redis-py client for every message it publishes (its
`conn_or_acquire` with no client given), each taking a connection from the channel's one pool.
Building the client is most of what handing an email to a worker costs a page (some 550 Python
calls), so this channel keeps one client on that same pool and lends it each time. Connections,
timeouts and errors are the pool's, exactly as before: with Redis down the command raises as it
did, and a channel kombu opens again (after a lost connection) gets a client of its own.
"""

from contextlib import contextmanager

from kombu.transport import redis


class Channel(redis.Channel):
    publishing_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        pool = self.pool
        if self.publishing_client is None or self.publishing_client.connection_pool is not pool:
            self.publishing_client = self.Client(connection_pool=pool)
        yield self.publishing_client


class Transport(redis.Transport):
    Channel = Channel
