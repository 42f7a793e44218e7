"""Celery tasks of the authoring app: they take ids and call one service each."""

from __future__ import annotations

from celery import shared_task
from core.jobs import worker_name
from core.queues import GRADING_QUEUE

from authoring.worker import authoring_run_grade


@shared_task(bind=True, queue=GRADING_QUEUE, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_draft(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    return authoring_run_grade(run_id=run_id, worker=worker_name(self.request.hostname))
