"""Recomputing late credit after a due date, the late curve or an extension changed.

Only the late credit moves: the student's ``StudentPolicy`` (scoring.policy) scores a code
submission from its raw grade (``score_from_raw``) and a quiz answer from its fraction
(``score``), as at grading time. Rows whose
score staff set by hand (a MANUAL score change, or a manually graded answer) are left alone: a
deadline change must not silently undo a grader's decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.models import Assignment
from django.contrib.auth.models import AbstractBaseUser
from submissions.models import QuizAnswer, Submission

from scoring.models import ScoreChange
from scoring.policy import policies_for
from scoring.services import score_change_record

EPSILON = 1e-6


@dataclass
class RecomputeReport:
    changed: int = 0
    unchanged: int = 0
    skipped_manual: int = 0


def _manual_ids(assignment: Assignment, field: str) -> set[int]:
    rows = ScoreChange.objects.filter(source=ScoreChange.Source.MANUAL, question__assignment=assignment)
    return set(rows.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True))


def late_credit_recompute(
    *, assignment: Assignment, actor: AbstractBaseUser | None, reason: str,
    student_ids: set[int] | None = None,
) -> RecomputeReport:
    """Call inside the transaction that changed the dates, so the scores and the dates commit
    together (and a failure changes neither)."""
    report = RecomputeReport()
    policies = policies_for(assignment=assignment, user_ids=student_ids)
    submissions = Submission.objects.select_for_update().filter(
        question__assignment=assignment, status=Submission.Status.GRADED, raw_score__isnull=False
    )
    answers = QuizAnswer.objects.select_for_update().filter(
        question__assignment=assignment, needs_manual=False, score__isnull=False
    )
    if student_ids is not None:
        submissions = submissions.filter(user_id__in=student_ids)
        answers = answers.filter(user_id__in=student_ids)
    manual_submissions = _manual_ids(assignment, "submission_id")
    for row in submissions.order_by("id"):
        if row.pk in manual_submissions:
            report.skipped_manual += 1
            continue
        policy = policies[row.user_id]
        max_raw = (row.results or {}).get("max_score")
        new = policy.score_from_raw(row.raw_score, max_raw, row.max_score, row.created_at)  # type: ignore[arg-type]
        _update(report, Submission, row, new=new, late_days=policy.days_late(row.created_at),
                actor=actor, reason=reason, link={"submission_id": row.pk})
    manual_answers = _manual_ids(assignment, "quiz_answer_id")
    for row in answers.order_by("id"):
        if row.pk in manual_answers:
            report.skipped_manual += 1
            continue
        policy = policies[row.user_id]
        new = policy.score(row.fraction, row.max_score, row.created_at)
        _update(report, QuizAnswer, row, new=new, late_days=policy.days_late(row.created_at),
                actor=actor, reason=reason, link={"quiz_answer_id": row.pk})
    return report


def _update(
    report: RecomputeReport, model: type[Submission] | type[QuizAnswer], row: Submission | QuizAnswer, *,
    new: float, late_days: int, actor: AbstractBaseUser | None, reason: str, link: dict[str, int],
) -> None:
    score_moves = row.score is None or abs(new - row.score) > EPSILON
    if not score_moves and late_days == row.late_days:
        report.unchanged += 1
        return
    model.objects.filter(id=row.pk).update(score=new, late_days=late_days)
    if not score_moves:
        report.unchanged += 1
        return
    report.changed += 1
    score_change_record(
        student_id=row.user_id, question_id=row.question_id, old_score=row.score, new_score=new,
        source=ScoreChange.Source.DEADLINE, actor=actor, reason=reason, **link,
    )
