"""Authoring runs as a job table of ``core.jobs``: the grading queue and the sandbox retry
policy, like students' submissions."""

from __future__ import annotations

from core.jobs import JobTable
from core.queues import GRADING_QUEUE
from django.utils import timezone
from django.utils.translation import gettext_noop

from authoring.models import AuthoringRun


def _end(ids: list[int], message: str) -> None:
    AuthoringRun.objects.filter(id__in=ids, status=AuthoringRun.Status.RUNNING).update(
        status=AuthoringRun.Status.ERROR, finished_at=timezone.now(), error_message=message,
    )


AUTHORING_RUNS = JobTable(
    model=AuthoringRun, task="authoring.tasks.run_draft", queue=GRADING_QUEUE, policy="sandbox", end=_end,
    lost_message=gettext_noop("The run stopped without a result too many times (the worker was lost)."),
)
