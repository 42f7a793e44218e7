"""The workers' shared reference results (``grader.reference_store``) in Redis, and precomputing
them off the critical path, so that a student's attempt finds its reference ready.

Why a poisoned entry cannot forge a grade, and what a student account can do: see the docstring of
``grader/reference_store.py`` (keys name the exact computation, values are sealed with a secret
only the grader processes use, any refused value is recomputed from the reference in the sandbox).

The site's shared Redis client (``core.redis_client``), not Django's cache: that one pickles values, and unpickling what a store
returns would let anything that can write to Redis run code in the worker. Values here are plain
bytes parsed with budgets. The seal key is derived from ``SECRET_KEY`` (web and workers share it;
the web never writes here, and a job never sees either).

Precompute (``reference_prepare``), always on the ``celery`` queue, which the workers serve after
``grading`` (``queue_order_strategy: priority``), so a burst of gradings is never slowed by it:
* after a graded attempt, for the same student's next attempt (``submission_grade``);
* for every enrolled student's first attempt at a question (``references_prepare_first``: the
  ``prepare_references`` command, e.g. when a question is published or a bundle loaded).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings

from core.redis_client import redis_client
from grader.reference_store import SharedReferences

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_shared: SharedReferences | None = None
_built = False


class RedisBytes:
    """``get`` / ``set`` of raw bytes through the shared client (``core.redis_client``: short
    timeouts, so a slow Redis only costs a reference run, and it follows ``settings.REDIS_URL``),
    within a total byte budget: the broker's Redis runs with ``noeviction`` (docs/DEPLOY.md), so
    nothing else would bound this cache. Every write records its size in an index (a sorted set by
    write time and a hash of sizes); past the budget the oldest entries are deleted. Concurrent
    writers may overshoot by a few entries; keys that expired meanwhile are the oldest and go first."""

    # Atomic in Redis: store, account, then evict the oldest until within the budget.
    SET_SCRIPT = """
local old = redis.call('HGET', KEYS[3], KEYS[1])
if old then redis.call('DECRBY', KEYS[4], old) end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], string.len(ARGV[1]))
local total = redis.call('INCRBY', KEYS[4], string.len(ARGV[1]))
local budget = tonumber(ARGV[4])
while total > budget do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then break end
  local size = redis.call('HGET', KEYS[3], oldest[1]) or 0
  redis.call('HDEL', KEYS[3], oldest[1])
  redis.call('DEL', oldest[1])
  total = redis.call('DECRBY', KEYS[4], size)
end
return total
"""

    def __init__(self, prefix: str, total_bytes: int,
                 client: Callable[[], redis.Redis] = redis_client) -> None:
        self._client = client
        self.prefix = prefix
        self.total_bytes = total_bytes
        self.index, self.sizes, self.total = (f"{prefix}refindex:order", f"{prefix}refindex:sizes",
                                              f"{prefix}refindex:bytes")
        self._set = self.client.register_script(self.SET_SCRIPT)  # run on the client of the moment

    @property
    def client(self) -> redis.Redis:
        return self._client()

    def get(self, key: str) -> bytes | None:
        return self.client.get(self.prefix + key)  # type: ignore[return-value]

    def exists(self, key: str) -> bool:
        return bool(self.client.exists(self.prefix + key))

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self._set(keys=[self.prefix + key, self.index, self.sizes, self.total],
                  args=[value, ttl, time.time(), self.total_bytes], client=self.client)


def shared_references() -> SharedReferences | None:
    """The process's store, or None when ``GRADER_REFERENCE_CACHE`` is off."""
    global _shared, _built
    with _lock:
        if not _built:
            _built = True
            if settings.GRADER_REFERENCE_CACHE == "redis":
                secret = hmac.new(settings.SECRET_KEY.encode(), b"dlgrade reference store",
                                  hashlib.sha256).digest()
                _shared = SharedReferences(
                    store=RedisBytes("dlgrade:", settings.GRADER_REFERENCE_CACHE_TOTAL_BYTES),
                    secret=secret,
                    ttl=settings.GRADER_REFERENCE_CACHE_TTL,
                    max_bytes=settings.GRADER_REFERENCE_CACHE_MAX_BYTES,
                )
        return _shared


def shared_references_reset(store: SharedReferences | None = None) -> None:
    """Tests: use ``store`` (or build from settings again on next use)."""
    global _shared, _built
    with _lock:
        _shared, _built = store, store is not None
