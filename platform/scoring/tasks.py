"""Celery tasks of the scoring app: they take ids and call one service each. Regrading runs the
student's code, so it goes to the ``grading`` queue (the sandbox workers), like first grading."""

from __future__ import annotations

from celery import shared_task

from scoring.models import RegradeRun
from scoring.regrade.grading import regrade_code_item_grade, regrade_run_resend_stuck


@shared_task(queue="grading", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def regrade_item(item_id: int) -> str:
    return regrade_code_item_grade(item_id=item_id)


@shared_task(ignore_result=True)
def sweep_regrades() -> int:
    """Beat: re-send lost regrade items of every running run, even when nobody watches the page."""
    running = RegradeRun.objects.filter(status=RegradeRun.Status.RUNNING).values_list("id", flat=True)
    return sum(len(regrade_run_resend_stuck(run_id=run_id)) for run_id in running)
