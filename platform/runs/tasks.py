"""Celery tasks of runs: they take ids and call one service each. ``execute_run`` goes to the
``run`` queue, which its own worker serves (scripts/run.sh, docker-compose.yml ``worker-run``)."""

from __future__ import annotations

from celery import shared_task
from core.jobs import worker_name
from core.queues import RUN_QUEUE

from runs.services import runs_purge
from runs.worker import run_execute

# A run is interactive: far shorter limits than grading (the sandbox's own wall limit ends the
# student's code long before these).
RUN_SOFT_TIME_LIMIT = 30
RUN_TIME_LIMIT = 45


@shared_task(bind=True, queue=RUN_QUEUE, acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             soft_time_limit=RUN_SOFT_TIME_LIMIT, time_limit=RUN_TIME_LIMIT)
def execute_run(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    return run_execute(run_id=run_id, worker=worker_name(self.request.hostname))


@shared_task(ignore_result=True)
def purge_runs() -> int:
    """Beat: delete runs older than an hour (``runs.services.runs_purge``)."""
    return runs_purge()
