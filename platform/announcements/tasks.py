"""Celery tasks of the announcements app (default queue): they take ids and call one service."""

from __future__ import annotations

from celery import shared_task
from core.jobs import worker_name

from announcements.sending import email_send


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_email(self, email_id: int) -> str:  # type: ignore[no-untyped-def]
    """One outbox row; retries (mail server down) are the job pipeline's (``mail`` policy)."""
    return email_send(email_id=email_id, worker=worker_name(self.request.hostname))
