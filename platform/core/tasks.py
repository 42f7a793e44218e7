"""Celery tasks of the core app."""

from __future__ import annotations

from celery import shared_task

from core.jobs import jobs_sweep_all


@shared_task(ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    """Beat, every 30 s: send again what every job table lost (``core.jobs.job_sweep``)."""
    return jobs_sweep_all()
