"""Handing tasks to the Redis broker reuses one redis-py client per channel (loti_portal/broker.py)
rather than building one per message."""

import redis


def test_tasks_handed_to_the_broker_reuse_one_redis_client(real_services, purge_broker, monkeypatch):
    from outbox import tasks

    tasks.emails_send.delay([])  # the first opens the connection, its channel and their client
    built = []
    build = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        build(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    for _ in range(3):
        tasks.emails_send.delay([])
    assert built == []
