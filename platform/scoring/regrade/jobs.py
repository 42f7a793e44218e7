"""Regrade items as a job table of ``core.jobs``: the grading queue and the sandbox retry policy,
like first grading. Only items of runs still running take part in sweeps; an item ended for good
is ``failed`` (its old score is kept) and may complete its run."""

from __future__ import annotations

from core.jobs import JobTable
from core.queues import GRADING_QUEUE
from django.db.models import Q

from scoring.models import RegradeItem, RegradeRun


def _end(ids: list[int], message: str) -> None:
    from scoring.regrade.grading import regrade_run_finish_if_done

    items = RegradeItem.objects.filter(id__in=ids, status=RegradeItem.Status.RUNNING)
    run_ids = set(items.values_list("run_id", flat=True))
    items.update(status=RegradeItem.Status.FAILED, error=message)
    for run_id in run_ids:
        regrade_run_finish_if_done(run_id=run_id)


REGRADE_ITEMS = JobTable(
    model=RegradeItem, task="scoring.tasks.regrade_item", queue=GRADING_QUEUE, policy="sandbox",
    queued=RegradeItem.Status.PENDING, running=RegradeItem.Status.RUNNING, created_field=None,
    sweep_scope=Q(run__status=RegradeRun.Status.RUNNING), end=_end,
    lost_message="Grading stopped without a result too many times (the worker was lost).",
)
