"""Django's Redis cache, making its Redis client once per connection pool, with a
counter that costs one round trip.

Django's RedisCacheClient makes a new ``redis.Redis`` for every operation, and each
one copies redis-py's table of ~170 response callbacks: ~0.2 ms, two or three times
on every API request (the failed-token check and the throttle's counter). A client
is only a handle on its pool, and safe to share between threads, so one per pool is
kept.

``count()`` (``RedisCache.incr_and_peek``) is what the API's throttles need on
every request: add one to a window's counter and read another counter (the
address's failed tokens) in one round trip, where Django's ``get`` then ``incr``
(itself EXISTS, then INCRBY) and, in a window's first request, ``add`` were three or
four. Everything else is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis
from redis.exceptions import ResponseError


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

    def incr_and_peek(
        self, key: str, timeout: int, *, peek: tuple[str, ...] = ()
    ) -> tuple[int, list]:
        """Add one to the counter ``key`` (made, and kept ``timeout`` seconds, by its
        first count) and read the values of the ``peek`` keys (None where absent),
        atomically and in one round trip (MULTI, GET..., SET NX EX, INCR, EXEC).
        SET NX EX makes the counter with its expiry and leaves a running one as it
        is: EXPIRE's NX option would do the same but is Redis 7's, and on Redis 6
        it aborts the transaction (every API request refused).
        Returns the count and the peeked values. A key that holds something other
        than a number raises ValueError, as ``incr`` does."""
        name = self.make_and_validate_key(key)
        client = self._cache.get_client(name, write=True)
        pipeline = client.pipeline(transaction=True)
        for other in peek:
            pipeline.get(self.make_and_validate_key(other))
        pipeline.set(name, 0, ex=timeout, nx=True)
        pipeline.incr(name)
        try:
            *values, _, count = pipeline.execute()
        except ResponseError as error:  # INCR of a value that is not a number
            raise ValueError(str(error)) from None
        loads = self._cache._serializer.loads
        return count, [None if value is None else loads(value) for value in values]


def count(cache, key: str, timeout: int, *, peek: tuple[str, ...] = ()) -> tuple[int, list]:
    """RedisCache.incr_and_peek() on any Django cache (a backend, or
    ``django.core.cache.cache``, the proxy of the default one): on one without it
    (the per-process cache of the embedded mode) ``get`` each peeked key, then
    ``incr`` the counter, ``add``-ing it in its window's first count; each is atomic
    there, not the whole."""
    incr_and_peek = getattr(cache, "incr_and_peek", None)
    if incr_and_peek is not None:
        return incr_and_peek(key, timeout, peek=peek)
    values = [cache.get(other) for other in peek]
    for _ in range(3):
        try:
            return cache.incr(key), values
        except ValueError:  # not there yet: the window's first count
            if cache.add(key, 1, timeout):
                return 1, values
    raise ValueError(f"the cache keeps losing the counter {key!r}")
