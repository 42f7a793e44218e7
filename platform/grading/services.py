"""Writes of the manual grading queue: grading an answer (score + grade row + audit row in one
transaction), splitting the pending work among the course staff, taking over an answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import UserError
from courses.models import Course
from courses.selectors import course_staff_ids
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from scoring.models import ScoreChange
from scoring.policy import policy_for
from scoring.services import score_change_record
from submissions.models import QuizAnswer

from grading.models import GradingAssignment, ManualGrade
from grading.rubric import clamp_points, rubric_items, rubric_total
from grading.selectors import answer_newer_exists, is_pending, latest_answers, manual_questions

NO_CHECK = object()  # expected_grade_id sentinel: do not check for a concurrent grade


class GradingRefused(UserError):
    """A grade that cannot be saved as sent; ``message`` is shown to the grader."""


def _grade_write(
    *, answer_id: int, actor: AbstractBaseUser, comment: str, source: str,
    expected_grade_id: object = NO_CHECK, checked: Sequence[int] = (), adjustment: float = 0.0,
    raw_score: float | None = None,
) -> ManualGrade:
    """``raw_score`` given (an import): that many points; otherwise the ticked rubric items plus
    ``adjustment``. Either way clamped to the question's points, then the late penalty applied."""
    with transaction.atomic():
        # Locked so two graders saving at once cannot both read the same old score.
        answer = (
            QuizAnswer.objects.select_for_update(of=("self",))
            .select_related("question__assignment", "version")
            .get(pk=answer_id)
        )
        if answer_newer_exists(answer=answer) is not None:
            raise GradingRefused(_("The student has answered again since; grade the newest answer."))
        latest = ManualGrade.objects.filter(quiz_answer=answer).order_by("-created_at", "-id").first()
        if expected_grade_id is not NO_CHECK and (latest.pk if latest else None) != expected_grade_id:
            raise GradingRefused(_("Someone else graded this answer while you were looking at it. "
                                   "Review their grade below and save again to replace it."))
        question = answer.question
        items = rubric_items(answer.version)
        wanted = sorted({index for index in checked if 0 <= index < len(items)})
        if raw_score is None:
            raw = rubric_total(items, wanted, adjustment, question.points)
        else:
            raw = clamp_points(raw_score, question.points)
        # The points given, with the student's own late credit (an extension applies).
        policy = policy_for(user_id=answer.user_id, assignment=question.assignment)
        score = policy.score_from_points(raw, answer.created_at)
        old_score = answer.score
        answer.score = score
        answer.fraction = raw / question.points if question.points else 0.0
        answer.correct = question.points > 0 and raw >= question.points
        answer.feedback = comment  # replaces "awaiting grading": the student reads the comment here
        answer.save(update_fields=["score", "fraction", "correct", "feedback"])
        grade = ManualGrade.objects.create(
            quiz_answer=answer, grader=actor if actor.is_authenticated else None, source=source,
            rubric_checked=[items[index].snapshot() for index in wanted], adjustment=adjustment,
            raw_score=raw, score=score, comment=comment,
        )
        GradingAssignment.objects.update_or_create(
            question=question, student_id=answer.user_id, defaults={"grader": actor},
        )
        audit_source = ScoreChange.Source.IMPORT if source == ManualGrade.Source.IMPORT else ScoreChange.Source.MANUAL
        verb = "regraded" if old_score is not None else "graded"
        score_change_record(
            student_id=answer.user_id, question_id=question.pk, old_score=old_score, new_score=score,
            source=audit_source, actor=actor, quiz_answer_id=answer.pk,
            reason=f"{verb} {raw:g}/{question.points:g}" + (f" — {comment}" if comment else ""),
        )
        return grade


def manual_grade_save(
    *, answer_id: int, grader: AbstractBaseUser, checked: Sequence[int], adjustment: float = 0.0,
    comment: str = "", expected_grade_id: object = NO_CHECK,
) -> ManualGrade:
    """Grade a descriptive answer with its rubric. ``expected_grade_id`` is the grade the grader
    saw (None for none); a different current grade means a concurrent grader, refused."""
    return _grade_write(
        answer_id=answer_id, actor=grader, comment=comment.strip(),
        source=ManualGrade.Source.RUBRIC, expected_grade_id=expected_grade_id, checked=checked,
        adjustment=adjustment,
    )


def manual_grade_import(*, answer_id: int, actor: AbstractBaseUser, raw_score: float, comment: str) -> ManualGrade:
    """A score from a spreadsheet: points before late penalty, like the grading page's total."""
    return _grade_write(
        answer_id=answer_id, actor=actor, comment=comment.strip(), source=ManualGrade.Source.IMPORT,
        raw_score=raw_score,
    )


@dataclass
class SplitReport:
    assigned: dict[int, int]  # grader id -> answers newly given to them
    total: int


def grading_split_evenly(
    *, course: Course, grader_ids: Sequence[int], question_ids: Sequence[int] | None = None,
    rebalance: bool = False, queue: str = "manual",
) -> SplitReport:
    """Give the pending answers to the chosen staff, round-robin. Without ``rebalance`` only
    answers nobody has are handed out, each to whoever has the fewest pending ones (so adding a
    TA mid-way evens out); with it, every pending answer is dealt again from scratch.
    ``queue="code"`` deals out the code submissions waiting for a review instead (the same
    GradingAssignment rows: one grader per question and student, whatever the kind)."""
    staff = set(course_staff_ids(course=course).filter(user_id__in=grader_ids))
    graders = [grader_id for grader_id in dict.fromkeys(grader_ids) if grader_id in staff]
    if not graders:
        raise GradingRefused(_("Choose at least one grader from the course staff."))
    if queue == "code":
        from grading.review_selectors import pending_code_pairs

        pending = pending_code_pairs(course=course, question_ids=None if question_ids is None else list(question_ids))
        questions = list(dict.fromkeys(q for q, _student in pending))
    else:
        questions = [q for q in manual_questions(course=course) if question_ids is None or q.pk in question_ids]
        pending = [(q, a.user_id) for q in questions for a in latest_answers(question=q) if is_pending(a)]
    load = dict.fromkeys(graders, 0)
    existing = {
        (row.question_id, row.student_id): row.grader_id
        for row in GradingAssignment.objects.filter(question__in=questions)
    }
    todo = []
    for question, student_id in pending:
        owner = existing.get((question.pk, student_id))
        if not rebalance and owner is not None:
            if owner in load:
                load[owner] += 1
            continue
        todo.append((question, student_id))
    assigned = dict.fromkeys(graders, 0)
    with transaction.atomic():
        for question, student_id in todo:
            # min() keeps the first of equals: with equal loads this is plain round-robin.
            grader_id = min(graders, key=lambda g: load[g])
            load[grader_id] += 1
            assigned[grader_id] += 1
            GradingAssignment.objects.update_or_create(
                question=question, student_id=student_id, defaults={"grader_id": grader_id},
            )
    return SplitReport(assigned=assigned, total=len(todo))


def grading_take(*, answer: QuizAnswer, grader: AbstractBaseUser) -> GradingAssignment:
    """The grader takes this student's answer to the question (from another grader or nobody)."""
    row, _created = GradingAssignment.objects.update_or_create(
        question_id=answer.question_id, student_id=answer.user_id, defaults={"grader": grader},
    )
    return row
