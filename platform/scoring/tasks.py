"""Celery tasks of the scoring app: they take ids and call one service each. Regrading runs the
student's code, so it goes to the ``grading`` queue (the sandbox workers), like first grading."""

from __future__ import annotations

from celery import shared_task
from core.jobs import worker_name
from core.queues import GRADING_QUEUE

from scoring.regrade.grading import regrade_code_item_grade


@shared_task(bind=True, queue=GRADING_QUEUE, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def regrade_item(self, item_id: int) -> str:  # type: ignore[no-untyped-def]
    return regrade_code_item_grade(item_id=item_id, worker=worker_name(self.request.hostname))

