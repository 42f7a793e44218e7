"""The e-mail outbox as a job table of ``core.jobs``: the default queue (no sandbox needed), the
``mail`` retry policy (a mail server outage is waited out), ``failed`` when the tries are used up."""

from __future__ import annotations

from core.jobs import JobTable
from core.queues import DEFAULT_QUEUE
from django.utils import timezone

from announcements.models import OutboundEmail


def _end(ids: list[int], message: str) -> None:
    OutboundEmail.objects.filter(id__in=ids, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.FAILED, last_error=message[:2000], claimed_at=timezone.now(),
    )


OUTBOX = JobTable(
    model=OutboundEmail, task="announcements.tasks.send_email", queue=DEFAULT_QUEUE, policy="mail",
    queued=OutboundEmail.Status.QUEUED, running=OutboundEmail.Status.SENDING, end=_end,
    lost_message="The e-mail stopped without a result too many times (the worker was lost).",
)
