"""The Celery app. Workers: ``celery -A config worker --pool threads --concurrency $GRADER_SLOTS
-Q grading,celery`` (each thread is one sandbox slot); beat runs the sweeper every 30 s.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dlgrade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_ready.connect
def warm_sandbox(**_: object) -> None:
    """Start the zygote before the first job arrives, so the first student does not wait for it."""
    from submissions.grading import executor_warm

    try:
        executor_warm()
    except Exception:  # the worker still starts; each job reports GraderUnavailable and is retried
        logger.exception("could not warm the grading sandbox")
