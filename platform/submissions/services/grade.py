"""Grading a stored submission in the worker (DESIGN data flow 2-4) and sweeping stuck rows."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from config.health import workers_alive
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from scoring.deadlines import effective_window
from scoring.models import ScoreChange
from scoring.services import score_change_record

from grader.api import grade_code
from grader.errors import GraderUnavailable
from grader.result import REJECTED, GradeResult
from submissions.grading import code_question_get, executor_get
from submissions.models import Submission
from submissions.services.submit import submission_enqueue

logger = logging.getLogger(__name__)
MAX_INFRA_FAILURES = 10
# A row whose worker vanished this many times is evidently what kills it (or what cannot be
# stored): the next time the sweeper finds it lost, it ends `error` instead of going round again.
MAX_RELEASES = 3
# Caps at the storage boundary: the grader caps what a job may print, but a row must stay small
# whichever executor or bundle limits produced it (the page shows the output, the API sends it).
MAX_OUTPUT_CHARS = 64 * 1024
MAX_ERROR_CHARS = 2000
# How long a worker keeps trying to store a computed grade while the database is unavailable.
DB_RETRY_SECONDS = 60.0
DB_RETRY_FIRST_DELAY = 0.25
S = Submission.Status

# Why a row ended `error`, for staff. Stored in English and marked for translation, so a page can
# show it in the reader's language; students see presenters.status_message (already bilingual).
GRADER_FAILED = gettext_noop("The grader could not grade this submission; staff have been notified.")
GRADER_UNAVAILABLE = gettext_noop("The grading service is unavailable; this did not use an attempt.")
NOT_STORABLE = gettext_noop(
    "The grade could not be stored; this did not use an attempt. Staff have been notified."
)
WORKER_LOST = gettext_noop(
    "Grading stopped without a result too many times (the worker was lost); this did not use an attempt."
)


class GradeOutcome(enum.Enum):
    GRADED = "graded"
    NOT_CLAIMED = "not_claimed"  # another worker has it, or it is no longer queued
    REQUEUED = "requeued"  # the sandbox failed; the row waits for another try
    FAILED = "failed"  # could not be graded at all (status error, no attempt used)


def submission_claim(*, submission_id: int, worker: str) -> bool:
    """Compare-and-swap queued -> running: exactly one caller wins, redeliveries return False."""
    claimed = Submission.objects.filter(id=submission_id, status=S.QUEUED).update(
        status=S.RUNNING, claimed_at=timezone.now(), worker=worker[:200]
    )
    return claimed == 1


def retry_delay(failures: int) -> float:
    return float(min(60, 2 ** max(0, failures)))


def submission_grade(*, submission_id: int, worker: str) -> GradeOutcome:
    if not submission_claim(submission_id=submission_id, worker=worker):
        return GradeOutcome.NOT_CLAIMED
    submission = Submission.objects.select_related("version__question", "question__assignment").get(
        id=submission_id
    )
    try:
        question = code_question_get(submission.version)
        result = grade_code(
            question, submission.code, seed=submission.seed, executor=executor_get(),
            lang=submission.lang,
        )
    except (GraderUnavailable, SoftTimeLimitExceeded) as error:
        return _requeue_after_infra_failure(submission, worker, error)
    except Exception:
        logger.exception("grading submission %s failed", submission_id)
        _finish_with_error(submission, GRADER_FAILED)
        return GradeOutcome.FAILED
    # The grade is computed: a database hiccup now (locked, restarting) must not cost it, so the
    # write is retried for a while instead of leaving the row `running` until the sweeper. An
    # unavailable database past that is the sweeper's case (the row is released, then bounded).
    try:
        _retry_on_database_errors(lambda: _record_grade(submission, result), what=f"submission {submission_id}")
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        # The database refused this verdict (a constraint, a value it cannot hold, a bug here):
        # retrying cannot help, and leaving the row `running` would re-grade it forever.
        logger.exception("storing the grade of submission %s failed", submission_id)
        _retry_on_database_errors(
            lambda: _finish_with_error(submission, NOT_STORABLE), what=f"the error of submission {submission_id}"
        )
        return GradeOutcome.FAILED
    return GradeOutcome.GRADED


def _record_grade(submission: Submission, result: GradeResult) -> None:
    max_raw = result.max_score or 1.0
    # The student's own due date (an extension) decides how late the submission was.
    window = effective_window(user_id=submission.user_id, assignment=submission.question.assignment)
    factor = window.credit(submission.created_at)
    score = round(result.score / max_raw * submission.max_score * factor, 4)
    # to_dict() is the grader's one sanitising rule (grader.sanitize.json_safe: no NaN/inf, NUL
    # or lone surrogates): everything stored comes from it; only the sizes are decided here.
    data = result.to_dict()
    data["output"] = _capped(data.get("output") or "", MAX_OUTPUT_CHARS)
    with transaction.atomic():
        finished = _finish(submission, status=S.GRADED, counts=result.status != REJECTED, fields={
            "raw_score": result.score,
            "score": score,
            "late_days": window.days_late(submission.created_at),
            "verdict": str(data["status"])[:32],
            "results": data,
            "output": data["output"],
            "timings": data.get("timings") or {},
        })
        if finished:
            score_change_record(
                student_id=submission.user_id, question_id=submission.question_id, old_score=None,
                new_score=score, source=ScoreChange.Source.GRADED, submission_id=submission.pk,
                reason=f"attempt {submission.attempt}: {result.status}",
            )


def _retry_on_database_errors(write: Callable[[], None], *, what: str) -> None:
    waited = 0.0
    delay = DB_RETRY_FIRST_DELAY
    while True:
        try:
            write()
            return
        except (OperationalError, InterfaceError) as error:
            if waited >= DB_RETRY_SECONDS:
                raise
            logger.warning("database unavailable while recording %s (%s); retrying in %.2f s", what, error, delay)
            connection.close_if_unusable_or_obsolete()
            time.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)


def _capped(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    marker = f"\n[{len(text) - limit:,} more characters not stored]"
    return text[: limit - len(marker)] + marker


def _finish_with_error(submission: Submission, message: str) -> bool:
    return _finish(submission, status=S.ERROR, counts=False, fields={
        "error_message": _capped(message, MAX_ERROR_CHARS),
    })


def _finish(submission: Submission, *, status: str, counts: bool, fields: dict[str, object]) -> bool:
    # Guarded by status: a sweeper that re-queued this row meanwhile must not be overwritten.
    return bool(Submission.objects.filter(id=submission.pk, status=S.RUNNING, worker=submission.worker).update(
        status=status, counts_as_attempt=counts, graded_at=timezone.now(), **fields
    ))


def _requeue_after_infra_failure(submission: Submission, worker: str, error: Exception) -> GradeOutcome:
    failures = submission.infra_failures + 1
    logger.warning("sandbox unavailable for submission %s (%s); try %d", submission.pk, error, failures)
    if failures >= MAX_INFRA_FAILURES:
        _finish(submission, status=S.ERROR, counts=False, fields={
            "infra_failures": failures, "error_message": GRADER_UNAVAILABLE,
        })
        return GradeOutcome.FAILED
    delay = retry_delay(failures)
    Submission.objects.filter(id=submission.pk, status=S.RUNNING, worker=worker).update(
        status=S.QUEUED, claimed_at=None, worker="", infra_failures=failures,
        enqueued_at=timezone.now() + timedelta(seconds=delay),
    )
    submission_enqueue(submission_id=submission.pk, countdown=delay)
    return GradeOutcome.REQUEUED


def submission_sweep(*, now: datetime | None = None) -> list[int]:
    """Re-enqueue rows whose task evidently got lost. Safe to run anywhere, any number of times:
    a duplicate task finds the row already claimed and does nothing. A row lost ``MAX_RELEASES``
    times already ends `error` (no attempt used) instead of being handed out again."""
    now = now or timezone.now()
    released = []
    for submission_id, claimed_at, releases in _lost_running_rows(now):
        # The worker died mid-job (or hangs): give the row back, unless it finished meanwhile.
        lost = Submission.objects.filter(id=submission_id, status=S.RUNNING, claimed_at=claimed_at)
        if releases >= MAX_RELEASES:
            if lost.update(status=S.ERROR, counts_as_attempt=False, graded_at=now, error_message=WORKER_LOST):
                logger.error("submission %s was lost by its worker %d times; it ends in error",
                             submission_id, releases + 1)
            continue
        if lost.update(status=S.QUEUED, claimed_at=None, worker="", enqueued_at=None, releases=F("releases") + 1):
            released.append(submission_id)
    queued_cutoff = now - timedelta(seconds=settings.SWEEP_QUEUED_AFTER_SECONDS)
    stuck = Submission.objects.filter(status=S.QUEUED).filter(
        Q(enqueued_at__isnull=True, created_at__lt=queued_cutoff) | Q(enqueued_at__lt=queued_cutoff)
    )
    sent = []
    for submission_id in sorted(set(released) | set(stuck.values_list("id", flat=True))):
        if submission_enqueue(submission_id=submission_id):
            sent.append(submission_id)
    return sent


def _lost_running_rows(now: datetime) -> list[tuple[int, datetime, int]]:
    """Running rows whose worker is evidently gone: running for longer than any job may take, or
    (sooner) claimed by a worker whose heartbeat has stopped. Without Redis to ask, only the first."""
    running_cutoff = now - timedelta(seconds=settings.SWEEP_RUNNING_AFTER_SECONDS)
    dead_cutoff = now - timedelta(seconds=settings.SWEEP_DEAD_WORKER_AFTER_SECONDS)
    rows = Submission.objects.filter(status=S.RUNNING, claimed_at__lt=dead_cutoff)
    candidates = list(rows.values_list("id", "claimed_at", "worker", "releases"))
    alive = workers_alive() if any(claimed_at >= running_cutoff for _, claimed_at, _, _ in candidates) else None
    return [
        (submission_id, claimed_at, releases) for submission_id, claimed_at, worker, releases in candidates
        if claimed_at < running_cutoff or (alive is not None and worker.split("/")[0] not in alive)
    ]
