"""Django's Redis cache, making its Redis client once per connection pool.

Django's RedisCacheClient makes a new ``redis.Redis`` for every operation, and each
one copies redis-py's table of ~170 response callbacks: ~0.2 ms, two or three times
on every API request (the failed-token check and the throttle's counter). A client
is only a handle on its pool, and safe to share between threads, so one per pool is
kept. Everything else is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
