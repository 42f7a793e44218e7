"""Reads for assignments and questions, always scoped to the requesting member (404 otherwise)."""

from __future__ import annotations

from courses.models import Course, Enrollment
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from assessments.models import Assignment, Question


def assignment_list(*, course: Course, enrollment: Enrollment) -> QuerySet[Assignment]:
    assignments = Assignment.objects.filter(course=course)
    if not enrollment.is_staff_role:
        assignments = assignments.filter(published=True)
    return assignments


def assignment_get_for_member(
    *, user: AbstractBaseUser, course_id: int, assignment_id: int
) -> tuple[Assignment, Enrollment]:
    assignment = Assignment.objects.select_related("course").filter(id=assignment_id, course_id=course_id).first()
    if assignment is None:
        raise Http404
    enrollment = Enrollment.objects.filter(user=user, course_id=course_id).first()
    if enrollment is None or (not assignment.published and not enrollment.is_staff_role):
        raise Http404
    return assignment, enrollment


def question_list(*, assignment: Assignment) -> QuerySet[Question]:
    return assignment.questions.filter(active=True, current_version__isnull=False).select_related("current_version")


def question_get_for_member(*, user: AbstractBaseUser, question_id: int) -> tuple[Question, Enrollment]:
    question = (
        Question.objects.select_related("assignment__course", "current_version")
        .filter(id=question_id, current_version__isnull=False)
        .first()
    )
    if question is None:
        raise Http404
    enrollment = Enrollment.objects.filter(user=user, course_id=question.assignment.course_id).first()
    if enrollment is None:
        raise Http404
    if not enrollment.is_staff_role and not (question.active and question.assignment.published):
        raise Http404
    return question, enrollment
