"""The Redis cache as deployed (CACHE_URL): Django's, with one Redis client per
connection pool instead of a new one for every operation (tracker/cache.py)."""

import os
import threading

import pytest

from tracker.cache import RedisCache, count


def redis_url() -> str:
    url = os.environ.get("CACHE_URL", "")
    if url.startswith("redis://"):
        return url
    return os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/13"


@pytest.mark.redis
def test_one_client_per_pool_and_the_cache_works_as_djangos():
    cache = RedisCache(redis_url(), {"KEY_PREFIX": "test-cache"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool
    cache.clear()
    assert cache.add("n", 1, 30) and not cache.add("n", 5, 30)
    assert cache.incr("n") == 2 and cache.get("n") == 2
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.set("doc", {"a": [1, 2]}, 30)
    assert cache.get("doc") == {"a": [1, 2]} and cache.get("gone", "default") == "default"

    counts = []

    def hits():
        for _ in range(50):
            counts.append(cache.incr("n"))

    threads = [threading.Thread(target=hits) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(3, 403))  # one shared client, every count once
    cache.clear()


@pytest.mark.redis
def test_count_adds_one_and_reads_other_keys_in_one_atomic_step():
    """What the API's throttles do on every request (tracker.cache.count,
    RedisCache.incr_and_peek): the window's counter is made with its expiry by its
    first count, later counts keep that expiry, peeked keys read as ``get`` would,
    and no count is lost or repeated among threads."""
    cache = RedisCache(redis_url(), {"KEY_PREFIX": "test-count"})
    client = cache._cache.get_client(write=True)
    cache.clear()
    cache.set("failures", 7, 30)
    assert count(cache, "window", 60, peek=("failures", "absent")) == (1, [7, None])
    ttl = client.ttl(cache.make_key("window"))
    assert 0 < ttl <= 60
    client.expire(cache.make_key("window"), 500)  # a later count must not renew it
    assert count(cache, "window", 60) == (2, [])
    assert 60 < client.ttl(cache.make_key("window")) <= 500
    assert cache.get("window") == 2  # Django's get reads the counter
    cache.set("document", {"not": "a number"}, 30)
    with pytest.raises(ValueError):
        count(cache, "document", 60)

    counts = []

    def hits():
        for _ in range(50):
            counts.append(count(cache, "window", 60)[0])

    threads = [threading.Thread(target=hits) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(3, 403))
    cache.clear()


def test_count_on_the_local_cache_of_the_embedded_mode():
    from django.core.cache.backends.locmem import LocMemCache

    cache = LocMemCache("test-count", {})
    cache.set("failures", 3)
    assert count(cache, "window", 60, peek=("failures", "absent")) == (1, [3, None])
    assert count(cache, "window", 60) == (2, [])


@pytest.mark.redis
def test_count_sends_only_commands_redis_6_knows(monkeypatch):
    """EXPIRE's NX option is Redis 7.0's: on Redis 6 (Ubuntu 22.04's, and nothing
    says the app needs 7) the transaction is aborted, count() raises ValueError
    and the throttles refuse every API request (429). The window's expiry must be
    set with commands Redis 6 has (SET ... EX ... NX)."""
    from redis.client import Pipeline

    sent = []
    execute = Pipeline.execute

    def recording(self, *args, **kwargs):
        sent.extend(command for command, _options in self.command_stack)
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", recording)
    cache = RedisCache(redis_url(), {"KEY_PREFIX": "test-count-6"})
    cache.clear()
    assert count(cache, "window", 60, peek=("failures",)) == (1, [None])
    assert count(cache, "window", 60) == (2, [])
    assert sent, "count() sent nothing through a pipeline"
    for command in sent:
        name, options = str(command[0]).upper(), [str(a).upper() for a in command[2:]]
        assert not (name == "EXPIRE" and {"NX", "XX", "GT", "LT"} & set(options)), command
    cache.clear()
