"""Similarity fingerprints after grading, coalesced: each graded submission's id goes into a Redis
set, and the first id since the last drain sends one ``fingerprint_submissions`` task with a short
countdown; that task takes every id pending by then and fingerprints them in one go
(``insights.similarity_report.similarity_fingerprints_warm``). One task, one query and one cache
round trip per batch instead of per submission.

Best effort throughout, like the per-submission task it replaces: an id lost (Redis or the broker
down, a worker killed) is fingerprinted by the similarity page itself when it finds it missing.

No id is stranded: the drain deletes the "scheduled" flag and takes the set in one transaction,
and a request adds its id before it tries to set the flag; so an id added before a drain is in it,
and one added after finds the flag gone and schedules the next task. The flag expires
(``SCHEDULED_SECONDS``), so a lost task delays a batch, never stops them."""

from __future__ import annotations

import contextlib
import logging

from core.queues import DEFAULT_QUEUE
from core.redis_client import redis_client
from django.conf import settings

logger = logging.getLogger(__name__)
PENDING_KEY = "dlgrade:fingerprints:pending"
SCHEDULED_KEY = "dlgrade:fingerprints:scheduled"
SCHEDULED_SECONDS = 60


def fingerprints_request(*, submission_id: int) -> None:
    """After a graded attempt: fingerprint it with the next batch (see the module docstring)."""
    from submissions.tasks import fingerprint_submissions

    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.sadd(PENDING_KEY, submission_id)
        pipe.set(SCHEDULED_KEY, 1, nx=True, ex=SCHEDULED_SECONDS)
        _added, scheduled = pipe.execute()
    except Exception:  # noqa: BLE001 - Redis unavailable: send this one on its own, as before
        logger.warning("could not queue fingerprinting of submission %s", submission_id, exc_info=True)
        args, countdown, scheduled = [[submission_id]], None, False
    else:
        if not scheduled:
            return  # a task is on its way and will take this id
        # how long a batch collects ids (the page is read by staff, later)
        args, countdown = [[]], settings.FINGERPRINT_BATCH_MS / 1000 or None
    try:  # the default queue, served after "grading", like the other follow-ups
        fingerprint_submissions.apply_async(args=args, countdown=countdown, queue=DEFAULT_QUEUE)
    except Exception:  # the broker is down: the similarity page fingerprints them itself
        logger.warning("could not send fingerprinting of submission %s", submission_id, exc_info=True)
        if scheduled:  # let the next graded submission try again instead of waiting for the expiry
            with contextlib.suppress(Exception):
                redis_client().delete(SCHEDULED_KEY)


def fingerprints_pending_take() -> list[int]:
    """The worker: every pending id, removed from the set (one transaction with the flag's removal)."""
    try:
        pipe = redis_client().pipeline(transaction=True)
        pipe.delete(SCHEDULED_KEY)
        pipe.smembers(PENDING_KEY)
        pipe.delete(PENDING_KEY)
        _flag, members, _deleted = pipe.execute()
    except Exception:  # noqa: BLE001 - Redis unavailable: the ids stay pending (or the page does them)
        logger.warning("could not take the pending fingerprinting", exc_info=True)
        return []
    return sorted(int(member) for member in members)
