"""What /healthz checks: the database, Redis, and whether any Celery worker answers a ping."""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.db import connection


def health_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:  # report, never raise: this is the health page
        return {"ok": False, "error": type(error).__name__}


def health_redis() -> dict[str, Any]:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


def health_workers(timeout: float = 0.5) -> dict[str, Any]:
    from config.celery import app

    try:
        replies = app.control.inspect(timeout=timeout).ping() or {}
    except Exception as error:
        return {"ok": False, "count": 0, "error": type(error).__name__}
    return {"ok": bool(replies), "count": len(replies)}


def health_report() -> dict[str, Any]:
    database = health_database()
    cache_and_queue = health_redis()
    # Without Redis a worker ping would only wait for its timeout; say so instead.
    workers = health_workers() if cache_and_queue["ok"] else {"ok": False, "count": 0, "error": "redis down"}
    checks = {"database": database, "redis": cache_and_queue, "workers": workers}
    return {"ok": all(check["ok"] for check in checks.values()), **checks}
