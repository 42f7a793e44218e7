"""Grade passbacks as a job table of ``core.jobs``: the default queue (no sandbox needed), the
LMS retry policy (an outage is waited out for hours), ``failed`` when the tries are used up
(``manage.py lti_resend_grades --failed`` sends them again)."""

from __future__ import annotations

from core.jobs import JobTable
from core.queues import DEFAULT_QUEUE
from django.utils import timezone

from lti.models import LtiGradeSync


def _end(ids: list[int], message: str) -> None:
    LtiGradeSync.objects.filter(id__in=ids, status=LtiGradeSync.Status.SENDING).update(
        status=LtiGradeSync.Status.FAILED, last_error=message[:2000], claimed_at=timezone.now(),
    )


GRADE_PASSBACKS = JobTable(
    model=LtiGradeSync, task="lti.tasks.send_grade", queue=DEFAULT_QUEUE, policy="lms",
    queued=LtiGradeSync.Status.PENDING, running=LtiGradeSync.Status.SENDING, created_field="requested_at",
    end=_end, lost_message="The passback stopped without a result too many times (the worker was lost).",
)
