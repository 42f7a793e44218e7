"""One student's record in a course: every code submission, every quiz answer (with its manual
grade), every score change and their late days (used, left, each one spent), for the
gradebook's per-student page."""

from __future__ import annotations

from dataclasses import dataclass

from courses.models import Course, Enrollment
from courses.selectors import course_student_get
from django.db.models import Prefetch
from django.http import Http404
from grading.models import ManualGrade
from scoring.models import LateTokenSpend, ScoreChange
from scoring.tokens import (
    TokenBalance,
    TokenRules,
    balance_of,
    token_balances,
    token_rules,
    token_spends_for_student,
)
from submissions.models import QuizAnswer, Submission


@dataclass
class StudentRecord:
    enrollment: Enrollment
    submissions: list[Submission]
    answers: list[QuizAnswer]
    changes: list[ScoreChange]
    late_days: TokenRules | None = None
    late_day_balance: TokenBalance | None = None
    late_day_spends: list[LateTokenSpend] | None = None


def student_enrollment_get(*, course: Course, user_id: int) -> Enrollment:
    """The student's enrollment in this course; 404 for a user of another course (ids in URLs are
    scoped to the course)."""
    enrollment = course_student_get(course=course, user_id=user_id)
    if enrollment is None:
        raise Http404
    return enrollment


def student_record(*, course: Course, user_id: int) -> StudentRecord:
    enrollment = student_enrollment_get(course=course, user_id=user_id)
    in_course = {"question__assignment__course": course, "user_id": user_id}
    submissions = list(
        Submission.objects.filter(**in_course)
        .select_related("question__assignment")
        .defer("code", "output", "results")
        .order_by("question__assignment__position", "question__position", "-created_at", "-id")
    )
    grades = Prefetch("manual_grades", queryset=ManualGrade.objects.select_related("grader").order_by("-created_at", "-id"))
    answers = list(
        QuizAnswer.objects.filter(**in_course)
        .select_related("question__assignment")
        .prefetch_related(grades)
        .order_by("question__assignment__position", "question__position", "-created_at", "-id")
    )
    changes = list(
        ScoreChange.objects.filter(student_id=user_id, question__assignment__course=course)
        .select_related("question__assignment", "actor")
        .order_by("-created_at", "-id")
    )
    rules = token_rules(course=course)
    balance = balance_of(token_balances(course=course, rules=rules, user_ids=[user_id]), user_id, rules)
    return StudentRecord(
        enrollment=enrollment, submissions=submissions, answers=answers, changes=changes,
        late_days=rules, late_day_balance=balance, late_day_spends=token_spends_for_student(course=course, user_id=user_id),
    )
