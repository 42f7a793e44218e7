"""Grading regrade items: code on the Celery workers (the same grader and executor as the first
grading), quiz answers in-process by their kind. Items are claimed with compare-and-swap, so a
redelivered or re-sent task never grades twice; a lost task is re-sent while staff watch the run."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from submissions.grading import code_question_get, executor_get

from grader.api import grade_code
from grader.errors import GraderUnavailable
from scoring.deadlines import Window, effective_windows, window_with_extension
from scoring.models import RegradeItem, RegradeRun

logger = logging.getLogger(__name__)
Item = RegradeItem.Status
MAX_TRIES = 5
RESEND_AFTER_SECONDS = 30
RESEND_BATCH = 50


def regrade_item_enqueue(*, item_id: int, countdown: float = 0) -> bool:
    """Send one item to the ``grading`` queue; False (the item waits for a re-send) when the
    broker is down."""
    from scoring.tasks import regrade_item

    try:
        regrade_item.apply_async(args=[item_id], queue="grading", countdown=countdown or None)
    except Exception:
        logger.warning("could not enqueue regrade item %s; it is re-sent later", item_id, exc_info=True)
        return False
    RegradeItem.objects.filter(id=item_id, status=Item.PENDING).update(
        enqueued_at=timezone.now() + timedelta(seconds=countdown)
    )
    return True


def _window(item: RegradeItem, windows: dict[int, Window]) -> Window:
    return windows.get(item.student_id) or window_with_extension(item.run.question.assignment, None)


def regrade_code_item_grade(*, item_id: int) -> str:
    """The worker's job for one code item. Returns what happened (for logs and tests)."""
    claimed = RegradeItem.objects.filter(id=item_id, status=Item.PENDING).update(
        status=Item.RUNNING, claimed_at=timezone.now(), tries=F("tries") + 1
    )
    if not claimed:
        return "not_claimed"
    item = RegradeItem.objects.select_related(
        "run__version", "run__question__assignment", "submission"
    ).get(id=item_id)
    submission = item.submission
    assert submission is not None
    try:
        result = grade_code(
            code_question_get(item.run.version), submission.code, seed=submission.seed,
            executor=executor_get(), lang=submission.lang,
        )
    except (GraderUnavailable, SoftTimeLimitExceeded) as error:
        return _retry_or_fail(item, error)
    except Exception as error:
        logger.exception("regrading item %s failed", item_id)
        _finish(item, status=Item.FAILED, error=f"{type(error).__name__}: {error}"[:500])
        regrade_run_finish_if_done(run_id=item.run_id)
        return "failed"
    window = _window(item, effective_windows(assignment=item.run.question.assignment, user_ids={item.student_id}))
    fraction = result.score / (result.max_score or 1.0)
    _finish(
        item, status=Item.DONE, new_fraction=fraction, new_raw_score=result.score,
        new_results=result.to_dict(),
        new_score=round(fraction * item.run.question.points * window.credit(submission.created_at), 4),
    )
    regrade_run_finish_if_done(run_id=item.run_id)
    return "graded"


def _finish(item: RegradeItem, *, status: str, **fields: object) -> bool:
    # Guarded: a re-send that released this item meanwhile must not be overwritten twice.
    return bool(RegradeItem.objects.filter(id=item.pk, status=Item.RUNNING).update(status=status, **fields))


def _retry_or_fail(item: RegradeItem, error: Exception) -> str:
    logger.warning("sandbox unavailable for regrade item %s (%s); try %d", item.pk, error, item.tries)
    if item.tries >= MAX_TRIES:
        _finish(item, status=Item.FAILED, error="The grading service was unavailable.")
        regrade_run_finish_if_done(run_id=item.run_id)
        return "failed"
    RegradeItem.objects.filter(id=item.pk, status=Item.RUNNING).update(status=Item.PENDING, claimed_at=None)
    regrade_item_enqueue(item_id=item.pk, countdown=min(60, 2 ** item.tries))
    return "requeued"


def regrade_quiz_items_grade(*, run: RegradeRun) -> None:
    """Quiz answers are graded on the spot by their kind, as when they were first answered."""
    from assessments.kinds import get_kind

    version = run.version
    kind = get_kind(version.kind)
    lang = run.question.assignment.course.language or "ko"
    windows = effective_windows(assignment=run.question.assignment)
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
        item.new_score = round(fraction * run.question.points * _window(item, windows).credit(answer.created_at), 4)
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


def regrade_run_resend_stuck(*, run_id: int) -> list[int]:
    """Re-send items whose task evidently got lost (broker down at start, worker died). Called
    while staff poll the progress; the item claim makes a duplicate task harmless."""
    now = timezone.now()
    running_cutoff = now - timedelta(seconds=settings.SWEEP_RUNNING_AFTER_SECONDS)
    RegradeItem.objects.filter(run_id=run_id, status=Item.RUNNING, claimed_at__lt=running_cutoff).update(
        status=Item.PENDING, claimed_at=None, enqueued_at=None
    )
    cutoff = now - timedelta(seconds=RESEND_AFTER_SECONDS)
    stuck = RegradeItem.objects.filter(run_id=run_id, status=Item.PENDING).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff)
    )
    sent = []
    for item_id in stuck.values_list("id", flat=True)[:RESEND_BATCH]:
        if not regrade_item_enqueue(item_id=item_id):
            break  # the broker is down: no point waiting for its timeout once per item
        sent.append(item_id)
    return sent
