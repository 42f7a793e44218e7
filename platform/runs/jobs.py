"""Runs as a job table of ``core.jobs``: their own queue (``run``, served by its own worker so a
grading burst never delays them) and their own short retry policy (nobody waits a minute for a
print)."""

from __future__ import annotations

from core.jobs import JobTable
from core.queues import RUN_QUEUE
from django.utils import timezone
from django.utils.translation import gettext_noop

from runs.models import CodeRun


def _end(ids: list[int], message: str) -> None:
    CodeRun.objects.filter(id__in=ids, status=CodeRun.Status.RUNNING).update(
        status=CodeRun.Status.ERROR, finished_at=timezone.now(), error_message=message,
    )


CODE_RUNS = JobTable(
    model=CodeRun, task="runs.tasks.execute_run", queue=RUN_QUEUE, policy="run", end=_end,
    lost_message=gettext_noop("The run stopped without a result (the runner was lost). Press Run again."),
)
