"""Grading a stored submission in the worker (DESIGN data flow 2-4) and sweeping stuck rows."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from core.executor import code_question_cached, executor_get
from core.jobs import job_claim, job_finish, job_retry_later, job_sweep
from core.reference_cache import shared_references
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from scoring.models import ScoreChange
from scoring.policy import policy_for
from scoring.services import score_change_record

from grader.api import grade_code
from grader.errors import GraderUnavailable
from grader.result import REJECTED, GradeResult
from submissions.jobs import SUBMISSIONS
from submissions.models import Submission
from submissions.services.references import submission_followups_send

logger = logging.getLogger(__name__)
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
WORKER_LOST = SUBMISSIONS.lost_message


class GradeOutcome(enum.Enum):
    GRADED = "graded"
    NOT_CLAIMED = "not_claimed"  # another worker has it, or it is no longer queued
    REQUEUED = "requeued"  # the sandbox failed; the row waits for another try
    FAILED = "failed"  # could not be graded at all (status error, no attempt used)


def submission_grade(*, submission_id: int, worker: str) -> GradeOutcome:
    if not job_claim(SUBMISSIONS, submission_id, worker=worker):
        return GradeOutcome.NOT_CLAIMED
    # The version's files and texts are read only when this worker has not parsed it yet.
    submission = (Submission.objects.select_related("version__question", "question__assignment")
                  .defer("version__spec", "version__prompts", "version__files").get(id=submission_id))
    try:
        version = submission.version
        question = code_question_cached(version.content_hash, version.as_source)
        result = grade_code(
            question, submission.code, seed=submission.seed, executor=executor_get(),
            lang=submission.lang, references=shared_references(),
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
    # The grade is stored: now, off its critical path, what the next attempt and staff pages need.
    submission_followups_send(submission=submission)
    return GradeOutcome.GRADED


def _record_grade(submission: Submission, result: GradeResult) -> None:
    # The student's own due date (an extension) decides how late the submission was.
    policy = policy_for(user_id=submission.user_id, assignment=submission.question.assignment)
    score = policy.score_from_raw(result.score, result.max_score, submission.max_score, submission.created_at)
    # to_dict() is the grader's one sanitising rule (grader.sanitize.json_safe: no NaN/inf, NUL
    # or lone surrogates): everything stored comes from it; only the sizes are decided here.
    data = result.to_dict()
    data["output"] = _capped(data.get("output") or "", MAX_OUTPUT_CHARS)
    with transaction.atomic():
        finished = _finish(submission, status=S.GRADED, counts=result.status != REJECTED, fields={
            "raw_score": result.score,
            "score": score,
            "late_days": policy.days_late(submission.created_at),
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
                assignment_id=submission.question.assignment_id,
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
    # Guarded by the claim: a sweeper that re-queued this row meanwhile must not be overwritten.
    return job_finish(SUBMISSIONS, submission.pk, worker=submission.worker, status=status,
                      counts_as_attempt=counts, graded_at=timezone.now(), **fields)


def _requeue_after_infra_failure(submission: Submission, worker: str, error: Exception) -> GradeOutcome:
    failures = submission.infra_failures + 1
    logger.warning("sandbox unavailable for submission %s (%s); try %d", submission.pk, error, failures)
    if job_retry_later(SUBMISSIONS, submission.pk, worker=worker, failures=failures, message=GRADER_UNAVAILABLE):
        return GradeOutcome.REQUEUED
    return GradeOutcome.FAILED


def submission_sweep(*, now: datetime | None = None) -> list[int]:
    """Re-enqueue rows whose task evidently got lost (``core.jobs.job_sweep``): a row lost by its
    worker too many times ends `error` (no attempt used) instead of being handed out again."""
    return job_sweep(SUBMISSIONS, now=now)
