"""The Redis cache as deployed (CACHE_URL): Django's, with one Redis client per
connection pool instead of a new one for every operation (tracker/cache.py)."""

import os
import threading

import pytest

from tracker.cache import RedisCache


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
