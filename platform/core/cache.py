"""Django's Redis cache with one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient`` builds a new client object (with its own table of response
callbacks, ~60 µs) for every cache call: a status poll, a submit's rate window and every lookup a
worker makes paid for it. The client is stateless apart from its pool, and Django keeps one cache
backend per thread, so one client per pool is the same connections for less work.
"""

from __future__ import annotations

from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}  # pool index -> its client

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class PooledRedisCache(RedisCache):
    """``CACHES["default"]["BACKEND"]`` when ``DJANGO_CACHE=redis``."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PooledClient
