"""Celery tasks: they take ids and call one service each."""

from __future__ import annotations

import socket
import threading

from celery import shared_task

from submissions.services.grade import submission_grade, submission_sweep


def _worker_name(hostname: str | None) -> str:
    return f"{hostname or socket.gethostname()}/{threading.get_ident()}"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def grade_submission(self, submission_id: int) -> str:  # type: ignore[no-untyped-def]
    return submission_grade(submission_id=submission_id, worker=_worker_name(self.request.hostname)).value


@shared_task(ignore_result=True)
def sweep_submissions() -> int:
    return len(submission_sweep())
