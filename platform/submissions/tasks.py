"""Celery tasks: they take ids and call one service each."""

from __future__ import annotations

from celery import shared_task
from core.jobs import worker_name

from submissions.services.grade import submission_grade


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def grade_submission(self, submission_id: int) -> str:  # type: ignore[no-untyped-def]
    return submission_grade(submission_id=submission_id, worker=worker_name(self.request.hostname)).value

