"""Celery tasks of the LTI app (default queue): they take ids and call one service."""

from __future__ import annotations

from celery import shared_task
from core.jobs import job_enqueue, worker_name

from lti.jobs import GRADE_PASSBACKS
from lti.services.grades import grade_sync_send, held_grades_release


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_grade(self, sync_id: int) -> str:  # type: ignore[no-untyped-def]
    """Retries (an LMS answering 503, a timeout) are the job pipeline's: the row goes back to
    the queue with the ``lms`` backoff of ``JOB_RETRY_POLICIES``."""
    return grade_sync_send(sync_id=sync_id, worker=worker_name(self.request.hostname))


def send_grade_enqueue(sync_id: int) -> bool:
    return job_enqueue(GRADE_PASSBACKS, sync_id)


@shared_task(ignore_result=True)
def release_held_grades() -> int:
    """Beat: send the passbacks that waited for the students to be allowed to see their scores."""
    released = held_grades_release()
    for sync_id in released:
        send_grade_enqueue(sync_id)
    return len(released)
