"""Celery tasks of the LTI app (default queue): they take ids and call one service."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from lti.models import LtiGradeSync
from lti.services.grades import GradeSendRetry, grade_sync_send, held_grades_release

MAX_RETRIES = 8  # with backoff from 30 s up to an hour: about four hours of LMS outage


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(GradeSendRetry,),
    max_retries=MAX_RETRIES,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
)
def send_grade(self, sync_id: int) -> str:  # type: ignore[no-untyped-def]
    return grade_sync_send(sync_id=sync_id, final_attempt=self.request.retries >= MAX_RETRIES)


def send_grade_enqueue(sync_id: int) -> None:
    send_grade.apply_async(args=[sync_id])


# A pending passback older than this lost its task (broker outage, worker gone): send it again.
RESEND_PENDING_AFTER_SECONDS = 10 * 60


@shared_task(ignore_result=True)
def resend_pending_grades() -> int:
    """Beat: the automatic form of ``manage.py lti_resend_grades`` (pending rows only)."""
    cutoff = timezone.now() - timedelta(seconds=RESEND_PENDING_AFTER_SECONDS)
    stale = LtiGradeSync.objects.filter(status=LtiGradeSync.Status.PENDING, requested_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True)[:500])
    for sync_id in ids:
        send_grade_enqueue(sync_id)
    return len(ids)


@shared_task(ignore_result=True)
def release_held_grades() -> int:
    """Beat: send the passbacks that waited for the students to be allowed to see their scores."""
    released = held_grades_release()
    for sync_id in released:
        send_grade_enqueue(sync_id)
    return len(released)
