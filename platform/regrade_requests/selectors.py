"""Reads for regrade requests, always scoped to one course."""

from __future__ import annotations

from assessments.models import Assignment, Question
from courses.models import Course
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from regrade_requests.models import RegradeRequest

STATUS_FILTERS = ("open", "answered", "all")


def request_queue(*, course: Course, status: str = "open") -> QuerySet[RegradeRequest]:
    rows = RegradeRequest.objects.filter(question__assignment__course=course).select_related(
        "student", "question__assignment", "answered_by")
    if status == "open":
        return rows.filter(status=RegradeRequest.Status.OPEN).order_by("created_at", "id")
    if status == "answered":
        return rows.exclude(status=RegradeRequest.Status.OPEN)
    return rows


def request_get_for_course(*, course: Course, request_id: int) -> RegradeRequest:
    """404 for a request of another course: ids in URLs are scoped to the course."""
    return get_object_or_404(
        RegradeRequest.objects.select_related(
            "student", "question__assignment", "submission", "quiz_answer__version", "answered_by"),
        pk=request_id, question__assignment__course=course,
    )


def student_requests(*, user: AbstractBaseUser, question: Question) -> QuerySet[RegradeRequest]:
    return RegradeRequest.objects.filter(student=user, question=question).select_related("answered_by")


def course_assignments(*, course: Course) -> QuerySet[Assignment]:
    return Assignment.objects.filter(course=course).select_related("regrade_window").order_by("position", "pk")
