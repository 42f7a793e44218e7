"""Recording score changes. Every place that sets or changes a student's score calls
``score_change_record`` in the same transaction; receivers of ``score_changed`` run after commit."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from scoring.models import ScoreChange
from scoring.signals import score_changed


def score_change_record(
    *,
    student_id: int,
    question_id: int,
    old_score: float | None,
    new_score: float | None,
    source: str,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
    submission_id: int | None = None,
    quiz_answer_id: int | None = None,
    assignment_id: int | None = None,
) -> ScoreChange:
    """``assignment_id``: the question's assignment when the caller has it loaded (the grading
    does), so that receivers of ``score_changed`` need not look it up; None: they do."""
    change = ScoreChange.objects.create(
        student_id=student_id, question_id=question_id, old_score=old_score, new_score=new_score,
        source=source, actor=actor if actor is not None and actor.is_authenticated else None,
        reason=reason[:2000], submission_id=submission_id, quiz_answer_id=quiz_answer_id,
    )
    transaction.on_commit(lambda: score_changed.send(
        sender=ScoreChange, student_id=student_id, question_id=question_id, change_id=change.pk,
        source=source, submission_id=submission_id, assignment_id=assignment_id,
    ))
    return change
