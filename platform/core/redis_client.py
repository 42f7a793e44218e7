"""The site's own Redis client, shared by everything that talks to Redis directly: the health
check and the worker heartbeat (``config.health``), the workers' reference store
(``core.reference_cache``) and the fingerprint batches (``submissions.services.fingerprints``).
Celery's broker connections and Django's cache have their own.

One client per process (and per timeout), created on first use from ``settings.REDIS_URL`` and
created again when that setting changes (tests point it at their own Redis). Its connection pool
reconnects by itself: a connection that Redis closed (a restart) is replaced when it is next taken
from the pool, so the first command after an outage already works. Short timeouts: every caller
is best effort and catches the errors, and a slow or unreachable Redis must cost it at most this.

Named ``redis_client`` rather than ``redis``: a module named like the library would shadow it for
anything run with ``platform/core`` as its working directory.
"""

from __future__ import annotations

import threading

import redis
from django.conf import settings

TIMEOUT_SECONDS = 0.5  # connect and each command; a caller may ask for another (the health check)

_lock = threading.Lock()
_clients: dict[float, tuple[str, redis.Redis]] = {}  # timeout -> (the URL it was built for, client)


def redis_client(*, timeout: float = TIMEOUT_SECONDS) -> redis.Redis:
    """The process's client for ``settings.REDIS_URL`` with ``timeout`` seconds to connect and per
    command. Thread-safe (each command takes a connection from the pool); never close it."""
    url = settings.REDIS_URL
    with _lock:
        cached = _clients.get(timeout)
        if cached is None or cached[0] != url:
            # A changed URL: a new client; the old one's connections close once it is dropped.
            client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
            cached = _clients[timeout] = (url, client)
        return cached[1]
