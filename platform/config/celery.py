"""The Celery app. Workers: ``celery -A config worker --pool threads --concurrency $GRADER_SLOTS
-Q grading,celery`` (each thread is one sandbox slot); beat runs the sweeper every 30 s.

Every worker announces itself with a heartbeat key in Redis (``config.health.WorkerHeartbeat``),
which ``/healthz`` reads, and warms its sandbox before the first job arrives.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import worker_ready, worker_shutting_down

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dlgrade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
_heartbeat = None  # the worker's WorkerHeartbeat, once it is ready


@worker_ready.connect
def warm_sandbox(sender: object = None, **_: object) -> None:
    """Start the heartbeat, then the zygotes, so the first student does not wait for them."""
    global _heartbeat
    from core.executor import executor_warm
    from django.conf import settings

    from config.health import WorkerHeartbeat

    name = str(getattr(sender, "hostname", "") or os.getpid())
    _heartbeat = WorkerHeartbeat(name=name, slots=settings.GRADER_SLOTS,
                                 interval=settings.WORKER_HEARTBEAT_SECONDS)
    _heartbeat.start()
    try:
        executor_warm()
        _heartbeat.sandbox = "ok"
    except Exception as error:  # the worker still starts; each job reports GraderUnavailable and is retried
        logger.exception("could not warm the grading sandbox")
        _heartbeat.sandbox = f"unavailable: {type(error).__name__}: {error}"[:300]
    _heartbeat.beat()


@worker_shutting_down.connect
def clear_heartbeat(**_: object) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()
