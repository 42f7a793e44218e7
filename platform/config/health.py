"""What /healthz reports, and the worker heartbeat it reads.

Components:
- ``database``: ``SELECT 1`` on the default connection;
- ``redis``: ``PING`` and the length of the ``grading`` queue (tasks waiting for a worker);
- ``workers``: heartbeat keys that every Celery worker writes every ``WORKER_HEARTBEAT_SECONDS``
  (expiring after three missed beats), each with its slots, whether its sandbox started and its
  recent seconds per grading (``GradingPace``: what ``grading_capacity`` adds up for the status
  page's wait estimate); the page shows counts only (it is public: no hostnames, no error messages).
  A heartbeat rather than a Celery broadcast ping: a ping makes every health check wait for its
  whole timeout, and it cannot tell a worker whose sandbox failed from a healthy one.

``ok`` (and the HTTP status in ``config.views.healthz``: 200 or 503) means "this web node can
serve": only the database decides it. Redis or the workers being down is ``status: degraded``:
submissions are still stored and get graded once they are back (the sweeper re-sends them), so a
load balancer must not take the web node out, but monitoring sees which component is down.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from core.queues import GRADING_QUEUE
from core.redis_client import redis_client
from django.db import connection

logger = logging.getLogger(__name__)
HEARTBEAT_PREFIX = "dlgrade:worker:"
REDIS_TIMEOUT_SECONDS = 1.0  # the shared client (core.redis_client) with this health check's own timeout


def _redis() -> redis.Redis:
    return redis_client(timeout=REDIS_TIMEOUT_SECONDS)


def health_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:  # report, never raise: this is the health page
        return {"ok": False, "error": type(error).__name__}


def health_redis() -> dict[str, Any]:
    try:
        client = _redis()  # shared: its pooled connection serves the next health check too
        client.ping()
        return {"ok": True, "queued_tasks": int(client.llen(GRADING_QUEUE))}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


def workers_alive() -> set[str] | None:
    """Celery hostnames with a live heartbeat (``Submission.worker`` starts with one), or None
    when Redis cannot say. Lets a sweeper tell a dead worker's rows from a slow one's."""
    try:
        return {key.decode()[len(HEARTBEAT_PREFIX):]
                for key in _redis().scan_iter(match=HEARTBEAT_PREFIX + "*", count=500)}
    except Exception:
        return None


def _heartbeats(client: redis.Redis | None = None) -> list[dict[str, Any]]:
    """Every live worker's last heartbeat (raises when Redis cannot say)."""
    client = client or _redis()
    keys = list(client.scan_iter(match=HEARTBEAT_PREFIX + "*", count=500))
    return [json.loads(raw) for raw in client.mget(keys) if raw] if keys else []


def health_workers() -> dict[str, Any]:
    """Live workers from their heartbeats; ``ok`` when at least one can run the sandbox.

    Counts only: /healthz is public, so worker names and sandbox error messages stay in the
    workers' logs (and in Redis, for ``workers_alive`` and the container health check)."""
    try:
        beats = _heartbeats()
    except Exception as error:
        return {"ok": False, "count": 0, "slots": 0, "error": type(error).__name__}
    grading = [beat for beat in beats if beat.get("sandbox") == "ok"]
    return {"ok": bool(grading), "count": len(beats), "slots": sum(int(beat["slots"]) for beat in grading),
            "sandbox_unavailable": len(beats) - len(grading)}


class GradingPace:
    """This worker's recent wall seconds per grading (a moving average), sent with its heartbeat.

    ``publish`` (the heartbeat's ``beat``) is called at once when the pace is first known or has
    moved by a quarter since it was last published: a burst that starts after a quiet hour gets
    its wait estimates within a grading, not at the next regular beat."""

    WEIGHT = 0.2  # of the newest grading: follows a change of load within a few dozen gradings
    REPUBLISH = 0.25  # relative change that is news

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds: float | None = None
        self._published: float | None = None
        self.publish: Callable[[], None] | None = None

    def record(self, seconds: float) -> None:
        with self._lock:
            previous = self._seconds
            self._seconds = now = seconds if previous is None else previous + self.WEIGHT * (seconds - previous)
            news = self._published is None or abs(now - self._published) > self.REPUBLISH * self._published
            if news:
                self._published = now
        if news and self.publish is not None:
            self.publish()

    @property
    def seconds(self) -> float | None:
        return self._seconds


grading_pace = GradingPace()  # this process's, when it is a grading worker
CAPACITY_TTL_SECONDS = 2.0
_capacity: tuple[float, float | None] = (float("-inf"), None)  # (read at, gradings per second)


def grading_capacity() -> float | None:
    """Gradings per second the live workers sustain now: each one's slots over its recent seconds
    per grading, summed. Read from the heartbeats at most every ``CAPACITY_TTL_SECONDS`` in this
    process (a status poll asks it); None when nobody can say (Redis down, no worker graded yet)."""
    global _capacity
    read_at, capacity = _capacity
    if time.monotonic() - read_at < CAPACITY_TTL_SECONDS:
        return capacity
    try:
        # the shared client's shorter timeout, not the health page's: a status poll is waiting
        paced = [beat for beat in _heartbeats(redis_client())
                 if beat.get("sandbox") == "ok" and (beat.get("seconds_per_grading") or 0) > 0]
        capacity = sum(int(beat["slots"]) / float(beat["seconds_per_grading"]) for beat in paced) or None
    except Exception:
        capacity = None
    _capacity = (time.monotonic(), capacity)
    return capacity


def health_report() -> dict[str, Any]:
    database = health_database()
    broker = health_redis()
    # Without Redis there are no heartbeats to read; say why instead of a second failure.
    workers = health_workers() if broker["ok"] else {"ok": False, "count": 0, "slots": 0, "error": "redis down"}
    components = {"database": database, "redis": broker, "workers": workers}
    if not database["ok"]:
        status = "down"
    elif all(component["ok"] for component in components.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"ok": database["ok"], "status": status, **components}


class WorkerHeartbeat:
    """A daemon thread in each Celery worker that refreshes ``dlgrade:worker:<name>`` in Redis.

    Writes survive Redis restarts (each beat is a fresh command on the shared client, which
    reconnects) and never raise: a failed beat only makes the worker look absent until the next one
    succeeds.
    """

    def __init__(self, *, name: str, slots: int, interval: float) -> None:
        self.name = name
        self.slots = slots
        self.interval = interval
        self.sandbox = "starting"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dlgrade-heartbeat", daemon=True)

    @property
    def key(self) -> str:
        return HEARTBEAT_PREFIX + self.name

    def start(self) -> None:
        self.beat()  # visible at once, before the (slow) sandbox warm-up
        grading_pace.publish = self.beat  # a new pace is news at once (GradingPace)
        self._thread.start()

    def beat(self) -> None:
        payload = {"name": self.name, "slots": self.slots, "sandbox": self.sandbox, "at": time.time(),
                   "host": socket.gethostname(), "pid": os.getpid(),
                   "seconds_per_grading": grading_pace.seconds}
        try:
            _redis().set(self.key, json.dumps(payload), ex=max(1, int(self.interval * 3)))
        except Exception as error:
            logger.debug("heartbeat not written: %s", error)

    def stop(self) -> None:
        self._stop.set()
        if grading_pace.publish == self.beat:
            grading_pace.publish = None
        with contextlib.suppress(Exception):  # Redis down: the key expires by itself
            _redis().delete(self.key)  # a clean shutdown disappears at once

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()
