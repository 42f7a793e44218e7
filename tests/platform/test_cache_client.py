"""The Redis cache backend (``core.cache``) keeps one client per connection pool instead of
building one per call, and is still a working Django cache."""

from __future__ import annotations

import threading

from core.cache import PooledRedisCache
from django.core.cache.backends.redis import RedisCache

from tests.stack import redis_server  # noqa: F401 (fixture)


def test_every_call_of_a_thread_goes_through_one_client(redis_server):  # noqa: F811
    cache = PooledRedisCache(redis_server.url, {"OPTIONS": {"socket_timeout": 1}})
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client  # one server: one pool, one client
    assert client.connection_pool is cache._cache._get_connection_pool(False)
    stock = RedisCache(redis_server.url, {})  # what it replaces: a new client each call
    assert stock._cache.get_client("a") is not stock._cache.get_client("a")


def test_it_is_a_working_cache_from_several_threads(redis_server):  # noqa: F811
    cache = PooledRedisCache(redis_server.url, {"KEY_PREFIX": "pooled-test"})
    cache.clear()
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for step in range(50):
                cache.set(f"k{number}-{step}", {"n": number, "step": step}, timeout=30)
                assert cache.get(f"k{number}-{step}") == {"n": number, "step": step}
            cache.incr_version(f"k{number}-0")
            assert cache.get_many([f"k{number}-1", f"k{number}-2"]) == {
                f"k{number}-1": {"n": number, "step": 1}, f"k{number}-2": {"n": number, "step": 2}}
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.add("fresh", 1) and not cache.add("fresh", 2)
    assert cache.incr("fresh") == 2
    cache.delete("fresh")
    assert cache.get("fresh") is None
    cache.clear()
