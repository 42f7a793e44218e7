"""Starting a regrade preview: items for every stored answer, quiz answers graded at once."""

from __future__ import annotations

from assessments.models import Question
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from submissions.models import QuizAnswer, Submission

from scoring.models import RegradeItem, RegradeRun, ScoreChange
from scoring.regrade import RegradeRefused
from scoring.regrade.grading import (
    regrade_item_enqueue,
    regrade_quiz_items_grade,
    regrade_run_finish_if_done,
)

S = RegradeRun.Status


def regrade_items_build(*, run: RegradeRun) -> list[RegradeItem]:
    question = run.question
    # A score staff set by hand is a decision a regrade must not silently overwrite.
    manual = ScoreChange.objects.filter(question=question, source=ScoreChange.Source.MANUAL)
    if question.is_code:
        # Graded rows only: queued/running ones are still on their way through the normal
        # pipeline, error rows never had a score.
        rows = Submission.objects.filter(question=question, status=Submission.Status.GRADED).exclude(
            id__in=manual.exclude(submission_id=None).values("submission_id")
        )
        items = [
            RegradeItem(run=run, student_id=row.user_id, submission=row, old_score=row.score,
                        old_results=row.results)
            for row in rows.order_by("id")
        ]
    else:
        # Answers waiting for (or given) a staff grade keep the grader's hand: not regraded.
        rows = QuizAnswer.objects.filter(question=question, needs_manual=False, score__isnull=False).exclude(
            id__in=manual.exclude(quiz_answer_id=None).values("quiz_answer_id")
        )
        items = [
            RegradeItem(run=run, student_id=row.user_id, quiz_answer=row, old_score=row.score,
                        old_results=quiz_result_snapshot(row))
            for row in rows.order_by("id")
        ]
    return RegradeItem.objects.bulk_create(items)


def quiz_result_snapshot(answer: QuizAnswer) -> dict[str, object]:
    return {
        "correct": answer.correct, "fraction": answer.fraction, "feedback": answer.feedback,
        "misconception": answer.misconception, "details": answer.details,
    }


def regrade_preview_start(*, question: Question, actor: AbstractBaseUser) -> RegradeRun:
    """Start grading every stored answer against ``question.current_version``. Refused while
    another run of this question is grading; an unapplied finished run is discarded (superseded)."""
    if question.current_version_id is None:
        raise RegradeRefused(_("This question has no version to grade against."), status=400)
    with transaction.atomic():
        RegradeRun.objects.filter(question=question, status=S.READY).update(status=S.DISCARDED)
        try:
            with transaction.atomic():
                run = RegradeRun.objects.create(
                    question=question, version_id=question.current_version_id, created_by=actor,
                    status=S.RUNNING,
                )
        except IntegrityError:
            raise RegradeRefused(_("A regrade of this question is already running.")) from None
        items = regrade_items_build(run=run)
        if question.is_code:
            ids = [item.pk for item in items]
            transaction.on_commit(lambda: [regrade_item_enqueue(item_id=item_id) for item_id in ids])
        else:
            regrade_quiz_items_grade(run=run)
    regrade_run_finish_if_done(run_id=run.pk)
    run.refresh_from_db()
    return run


def regrade_run_discard(*, run: RegradeRun) -> bool:
    """Give up a run that is grading (a worker outage) or not applied: frees the question for a
    new preview. Tasks still in flight grade items of a discarded run, which nobody applies."""
    return bool(RegradeRun.objects.filter(id=run.pk, status__in=[S.RUNNING, S.READY]).update(status=S.DISCARDED))
