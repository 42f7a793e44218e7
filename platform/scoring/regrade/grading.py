"""Grading regrade items: code on the Celery workers (the same grader and executor as the first
grading), quiz answers in-process by their kind. Code items are jobs of ``core.jobs`` (table
``scoring.regrade.jobs.REGRADE_ITEMS``): claimed with compare-and-swap, so a redelivered or re-sent
task never grades twice; a lost task is re-sent by the beat's sweep."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from core.executor import code_question_cached, executor_get
from core.jobs import job_claim, job_enqueue, job_finish, job_retry_later, job_sweep
from django.utils import timezone

from grader.api import grade_code
from grader.errors import GraderUnavailable
from scoring.models import RegradeItem, RegradeRun
from scoring.policy import policies_for, policy_for

logger = logging.getLogger(__name__)
Item = RegradeItem.Status
GRADER_UNAVAILABLE = "The grading service was unavailable."


def regrade_item_enqueue(*, item_id: int, countdown: float = 0) -> bool:
    """Send one item to the ``grading`` queue; False (the sweep sends it later) when the broker
    is down."""
    from scoring.regrade.jobs import REGRADE_ITEMS

    return job_enqueue(REGRADE_ITEMS, item_id, countdown=countdown)


def regrade_code_item_grade(*, item_id: int, worker: str) -> str:
    """The worker's job for one code item. Returns what happened (for logs and tests)."""
    from scoring.regrade.jobs import REGRADE_ITEMS

    if not job_claim(REGRADE_ITEMS, item_id, worker=worker):
        return "not_claimed"
    item = RegradeItem.objects.select_related(
        "run__version", "run__question__assignment", "submission"
    ).get(id=item_id)
    submission = item.submission
    assert submission is not None
    try:
        version = item.run.version
        result = grade_code(
            code_question_cached(version.content_hash, version.as_source), submission.code, seed=submission.seed,
            executor=executor_get(), lang=submission.lang,
        )
    except (GraderUnavailable, SoftTimeLimitExceeded) as error:
        return _retry_or_fail(item, error)
    except Exception as error:
        logger.exception("regrading item %s failed", item_id)
        _finish(item, status=Item.FAILED, error=f"{type(error).__name__}: {error}"[:500])
        regrade_run_finish_if_done(run_id=item.run_id)
        return "failed"
    policy = policy_for(user_id=item.student_id, assignment=item.run.question.assignment)
    fraction = result.score / (result.max_score or 1.0)
    _finish(
        item, status=Item.DONE, new_fraction=fraction, new_raw_score=result.score,
        new_results=result.to_dict(),
        new_score=policy.score(fraction, item.run.question.points, submission.created_at),
    )
    regrade_run_finish_if_done(run_id=item.run_id)
    return "graded"


def _finish(item: RegradeItem, *, status: str, **fields: object) -> bool:
    # Guarded by the claim: a sweep that released this item meanwhile must not be overwritten.
    from scoring.regrade.jobs import REGRADE_ITEMS

    return job_finish(REGRADE_ITEMS, item.pk, worker=item.worker, status=status, **fields)


def _retry_or_fail(item: RegradeItem, error: Exception) -> str:
    from scoring.regrade.jobs import REGRADE_ITEMS

    failures = item.tries + 1
    logger.warning("sandbox unavailable for regrade item %s (%s); try %d", item.pk, error, failures)
    if job_retry_later(REGRADE_ITEMS, item.pk, worker=item.worker, failures=failures, message=GRADER_UNAVAILABLE):
        return "requeued"
    return "failed"


def regrade_quiz_items_grade(*, run: RegradeRun) -> None:
    """Quiz answers are graded on the spot by their kind, as when they were first answered."""
    from kinds import get_kind

    version = run.version
    kind = get_kind(version.kind)
    lang = run.question.assignment.course.language or "ko"
    policies = policies_for(assignment=run.question.assignment)
    for item in run.items.select_related("quiz_answer").filter(status=Item.PENDING):
        answer = item.quiz_answer
        assert answer is not None
        try:
            grade = kind.grade(version.spec, kind.variant(version.spec, answer.seed), answer.answer, lang)
        except Exception as error:  # an answer the new version cannot read: kept as it was
            item.status, item.error = Item.FAILED, f"{type(error).__name__}: {error}"[:500]
            item.save(update_fields=["status", "error"])
            continue
        if grade.needs_manual:
            item.status, item.error = Item.FAILED, "The new version needs manual grading for this answer."
            item.save(update_fields=["status", "error"])
            continue
        fraction = max(0.0, min(1.0, float(grade.fraction)))
        item.new_fraction = fraction
        item.new_score = policies[item.student_id].score(fraction, run.question.points, answer.created_at)
        item.new_results = {
            "correct": bool(grade.correct), "fraction": fraction, "feedback": grade.feedback or "",
            "misconception": (grade.misconception or "")[:200], "details": grade.details or {},
        }
        item.status = Item.DONE
        item.save(update_fields=["status", "new_fraction", "new_score", "new_results"])


def regrade_run_finish_if_done(*, run_id: int) -> bool:
    """RUNNING -> READY once no item is waiting. Each item is marked before this check, so the
    last one to finish always sees the others done; the compare-and-swap makes repeats harmless."""
    if RegradeItem.objects.filter(run_id=run_id, status__in=[Item.PENDING, Item.RUNNING]).exists():
        return False
    return bool(RegradeRun.objects.filter(id=run_id, status=RegradeRun.Status.RUNNING).update(
        status=RegradeRun.Status.READY, finished_at=timezone.now()
    ))


def regrade_items_sweep() -> list[int]:
    """Re-send items of running runs whose task evidently got lost (broker down at start, worker
    died): the beat's job, whether or not anyone watches the run."""
    from scoring.regrade.jobs import REGRADE_ITEMS

    return job_sweep(REGRADE_ITEMS)
