"""Celery tasks of the exams app."""

from __future__ import annotations

from celery import shared_task

from exams.services import exam_sessions_finish_expired


@shared_task(ignore_result=True)
def finish_expired_exams() -> int:
    """Beat, every 15 s: submit the saved drafts of every student whose exam time is up."""
    return exam_sessions_finish_expired()
