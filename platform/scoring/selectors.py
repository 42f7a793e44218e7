"""Reads of the scoring app, always scoped to one course: an id from another course is a 404."""

from __future__ import annotations

from assessments.models import Assignment, Question
from courses.models import Course, Enrollment
from courses.selectors import course_students
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from scoring.models import Extension, RegradeRun, ScoreChange


def assignment_get_for_course(*, course: Course, assignment_id: int) -> Assignment:
    return get_object_or_404(Assignment, course=course, id=assignment_id)


def question_get_for_course(*, course: Course, question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("assignment", "current_version"), assignment__course=course, id=question_id
    )


def run_get_for_course(*, course: Course, run_id: int) -> RegradeRun:
    return get_object_or_404(
        RegradeRun.objects.select_related("question__assignment", "version", "created_by", "applied_by"),
        question__assignment__course=course, id=run_id,
    )


def extension_get_for_course(*, course: Course, assignment: Assignment, extension_id: int) -> Extension:
    return get_object_or_404(Extension, assignment=assignment, assignment__course=course, id=extension_id)


def extension_list(*, assignment: Assignment) -> QuerySet[Extension]:
    return assignment.extensions.select_related("student", "granted_by").order_by("student__username")


def regrade_runs_for_question(*, question: Question, limit: int = 20) -> QuerySet[RegradeRun]:
    return question.regrade_runs.select_related("version", "created_by", "applied_by")[:limit]


def audit_log(
    *, course: Course, question_id: int | None = None, student_id: int | None = None,
    assignment_id: int | None = None,
) -> QuerySet[ScoreChange]:
    rows = ScoreChange.objects.filter(question__assignment__course=course).select_related(
        "student", "actor", "question__assignment"
    )
    if assignment_id is not None:
        rows = rows.filter(question__assignment_id=assignment_id)
    if question_id is not None:
        rows = rows.filter(question_id=question_id)
    if student_id is not None:
        rows = rows.filter(student_id=student_id)
    return rows.order_by("-created_at", "-id")


def course_question_choices(*, course: Course) -> QuerySet[Question]:
    return Question.objects.filter(assignment__course=course).select_related("assignment").order_by(
        "assignment__position", "assignment_id", "position", "id"
    )


def course_student_choices(*, course: Course) -> QuerySet[Enrollment]:
    return course_students(course=course)
