"""How long a submission that is not graded yet will wait, and when its page should ask again.

The status endpoint answers every poll with ``poll_after_ms``: soon when the submission is being
graded or next in line, later when many are queued before it (a deadline rush), so a burst of
waiting students does not become a burst of polls. The estimate: the queued submissions ahead of
this one and itself, over what the live workers sustain (``config.health.grading_capacity``: each
worker's slots over its recent seconds per grading, from the heartbeats); the page asks again
halfway there, so an estimate that was too long costs it little. Unknown
capacity (no worker has graded yet, Redis down) means the page's own default schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.health import grading_capacity
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from submissions.models import Submission

POLL_MIN_MS = 400  # sooner answers cost polls a saturated server pays for, and are rarely final
POLL_MAX_MS = 4000  # the status line still moves while the queue drains
POLL_DEFAULT_MS = 500  # nothing known: the page's first rhythm
EARLY = 0.5  # ask halfway to the estimate: a late answer costs the student, an early one a poll


@dataclass(frozen=True)
class Wait:
    ahead: int | None  # queued submissions before this one (None: not queued)
    eta_ms: int | None  # until graded, estimated (None: unknown)
    poll_after_ms: int


def submission_wait(submission: Submission) -> Wait:
    """For a queued or running submission (one query: the queue ahead of a queued one)."""
    if submission.status == Submission.Status.RUNNING:
        return Wait(ahead=None, eta_ms=None, poll_after_ms=POLL_MIN_MS)
    if submission.enqueued_at is None:  # the broker was down: the sweeper sends it later
        return Wait(ahead=None, eta_ms=None, poll_after_ms=POLL_MAX_MS)
    ahead = Submission.objects.filter(status=Submission.Status.QUEUED, id__lt=submission.pk).count()
    capacity = grading_capacity()
    if capacity is None:
        return Wait(ahead=ahead, eta_ms=None, poll_after_ms=POLL_DEFAULT_MS)
    eta_ms = round(1000 * (ahead + 1) / capacity)
    return Wait(ahead=ahead, eta_ms=eta_ms,
                poll_after_ms=max(POLL_MIN_MS, min(POLL_MAX_MS, round(EARLY * eta_ms))))


def wait_message(wait: Wait) -> str:
    """"12 submissions ahead of yours; graded in about 3 s." (ko/en); empty when nothing is
    ahead or nothing is known."""
    if not wait.ahead or wait.eta_ms is None:
        return ""
    seconds = max(1, round(wait.eta_ms / 1000))
    ahead = ngettext("%(count)d submission ahead of yours", "%(count)d submissions ahead of yours",
                     wait.ahead) % {"count": wait.ahead}
    return _("%(ahead)s; graded in about %(seconds)d s.") % {"ahead": ahead, "seconds": seconds}
