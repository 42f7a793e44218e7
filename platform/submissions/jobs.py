"""Code submissions as a job table of ``core.jobs``: the grading queue, the sandbox retry policy,
and what ending a row for good means here (status error, no attempt used)."""

from __future__ import annotations

from core.jobs import JobTable
from core.queues import GRADING_QUEUE
from django.utils import timezone
from django.utils.translation import gettext_noop

from submissions.models import Submission


def _end(ids: list[int], message: str) -> None:
    Submission.objects.filter(id__in=ids, status=Submission.Status.RUNNING).update(
        status=Submission.Status.ERROR, counts_as_attempt=False, graded_at=timezone.now(), error_message=message,
    )


SUBMISSIONS = JobTable(
    model=Submission, task="submissions.tasks.grade_submission", queue=GRADING_QUEUE, policy="sandbox",
    tries_field="infra_failures", end=_end,
    lost_message=gettext_noop(
        "Grading stopped without a result too many times (the worker was lost); this did not use an attempt."
    ),
)
