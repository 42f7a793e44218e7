"""Reads of the exams app: an assignment's exam settings, a student's session and clock, the
staff overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assessments.models import Assignment, Question
from assessments.selectors import question_list_for_member
from courses.models import Enrollment
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from exams.models import ExamExtension, ExamSession, ExamSettings


def exam_settings_get(*, assignment: Assignment, enabled_only: bool = True) -> ExamSettings | None:
    rows = ExamSettings.objects.filter(assignment=assignment)
    return (rows.filter(enabled=True) if enabled_only else rows).first()


def exam_session_get(*, assignment: Assignment, user_id: int) -> ExamSession | None:
    return ExamSession.objects.filter(assignment=assignment, student_id=user_id).first()


def remaining_seconds(session: ExamSession | None, at: datetime | None = None) -> float | None:
    """Seconds left on the student's own clock (the server's), 0 when up; ``None`` before a start."""
    if session is None:
        return None
    return max(0.0, (session.ends_at - (at or timezone.now())).total_seconds())


@dataclass(frozen=True)
class StudentExam:
    settings: ExamSettings
    session: ExamSession | None
    remaining: float | None
    extension: ExamExtension | None
    questions: list[Question]  # empty unless the session is running

    @property
    def running(self) -> bool:
        return bool(self.remaining)

    @property
    def over(self) -> bool:
        return self.session is not None and not self.remaining


def student_exam(*, assignment: Assignment, enrollment: Enrollment) -> StudentExam:
    settings = exam_settings_get(assignment=assignment)
    if settings is None:
        raise Http404
    session = exam_session_get(assignment=assignment, user_id=enrollment.user_id)
    remaining = remaining_seconds(session)
    questions = question_list_for_member(assignment=assignment, enrollment=enrollment) if remaining else []
    extension = ExamExtension.objects.filter(assignment=assignment, student_id=enrollment.user_id).first()
    return StudentExam(settings=settings, session=session, remaining=remaining, extension=extension,
                       questions=questions)


def exam_overview(*, course_id: int) -> list[tuple[Assignment, ExamSettings | None]]:
    """Staff: every assignment of the course with its exam settings (``None``: not an exam)."""
    assignments = list(Assignment.objects.filter(course_id=course_id).order_by("position", "id"))
    settings = {row.assignment_id: row for row in ExamSettings.objects.filter(assignment__in=assignments)}
    return [(assignment, settings.get(assignment.pk)) for assignment in assignments]


def exam_assignment_get(*, course_id: int, assignment_id: int) -> Assignment:
    assignment = Assignment.objects.select_related("course").filter(id=assignment_id, course_id=course_id).first()
    if assignment is None:
        raise Http404
    return assignment


def exam_sessions(*, assignment: Assignment) -> QuerySet[ExamSession]:
    return ExamSession.objects.filter(assignment=assignment).select_related("student").order_by("started_at")


def exam_extensions(*, assignment: Assignment) -> QuerySet[ExamExtension]:
    return ExamExtension.objects.filter(assignment=assignment).select_related("student").order_by("student__username")


def exam_extension_get(*, assignment: Assignment, extension_id: int) -> ExamExtension:
    extension = ExamExtension.objects.select_related("assignment").filter(pk=extension_id, assignment=assignment).first()
    if extension is None:
        raise Http404
    return extension
