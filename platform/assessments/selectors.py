"""Reads for assignments and questions, always scoped to the requesting member (404 otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from courses.models import Course, Enrollment
from courses.selectors import enrollment_get
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from pools.services import pool_question_given, pool_questions_for_student
from scoring.policy import StudentPolicy, policy_for

from assessments.models import Assignment, Question


class AssignmentNotOpen(Http404):
    """A student asked for a question before its assignment opens. A 404 wherever nobody handles
    it, so no endpoint can show a question early by forgetting a check; the question page catches
    it to say when the assignment opens."""

    def __init__(self, assignment: Assignment, opens_at: datetime) -> None:
        super().__init__("assignment not open yet")
        self.assignment, self.opens_at = assignment, opens_at


class QuestionLocked(Http404):
    """A student asked for a question of an exam outside their running session (not started, or
    their time is up): ``message`` says which (``StudentPolicy.exam_refusal``). A 404 wherever
    nobody handles it; the question page and the JSON endpoints answer 403 with the message."""

    def __init__(self, assignment: Assignment, message: str) -> None:
        super().__init__("exam question locked")
        self.assignment, self.message = assignment, message


def questions_hidden_until(*, assignment: Assignment, enrollment: Enrollment) -> datetime | None:
    """When this member gets to see the assignment's questions (prompt, template, choices), or
    ``None`` if they may now. Staff always may; students from the opening date of their window."""
    if enrollment.is_staff_role:
        return None
    return _hidden_until(policy_for(user_id=enrollment.user_id, assignment=assignment), timezone.now())


def _hidden_until(window: StudentPolicy, now: datetime) -> datetime | None:
    return window.opens_at if window.not_open_yet(now) else None


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
    enrollment = enrollment_get(user=user, course=course_id)
    if enrollment is None or (not assignment.published and not enrollment.is_staff_role):
        raise Http404
    return assignment, enrollment


def question_list(*, assignment: Assignment) -> QuerySet[Question]:
    return assignment.questions.filter(active=True, current_version__isnull=False).select_related("current_version")


def question_list_for_member(*, assignment: Assignment, enrollment: Enrollment) -> list[Question]:
    """The questions this member is shown: staff every one, a student those outside every pool
    and the ones drawn for them (``pools``: the draw is stored now, so it never changes)."""
    questions = list(question_list(assignment=assignment))
    if enrollment.is_staff_role:
        return questions
    return pool_questions_for_student(assignment_id=assignment.pk, user_id=enrollment.user_id, questions=questions)


@dataclass(frozen=True)
class MemberQuestion:
    """A question its member may open (``question_access_for_member``), with what admitting them
    read. For a student, ``policy`` is their own policy for the assignment (extension and exam
    clock applied), and the question is one of theirs (outside every pool, or drawn for them):
    the submit rule (``submissions.services.policy``) takes both from here instead of reading
    them again in the same request. ``None`` for course staff (they were not read)."""

    question: Question
    enrollment: Enrollment
    policy: StudentPolicy | None


def question_access_for_member(
    *, user: AbstractBaseUser, question_id: int, with_version: bool = True
) -> MemberQuestion:
    """The question if this member may open it: 404 for strangers, for a student an unpublished
    or inactive question or a pooled one drawn for someone else; ``AssignmentNotOpen`` before
    their window opens, ``QuestionLocked`` for an exam outside their running session.
    ``with_version``: also load the current version (texts, template, bundle files: tens of
    kilobytes of JSON); the code endpoints need only its id."""
    related = ("assignment__course", "current_version") if with_version else ("assignment__course",)
    question = Question.objects.select_related(*related).filter(id=question_id, current_version__isnull=False).first()
    if question is None:
        raise Http404
    enrollment = enrollment_get(user=user, course=question.assignment.course_id)
    if enrollment is None:
        raise Http404
    if enrollment.is_staff_role:
        return MemberQuestion(question=question, enrollment=enrollment, policy=None)
    if not (question.active and question.assignment.published):
        raise Http404
    # The student's own window (an extension applies) and, for an exam (exams app; cached, so other
    # assignments cost no query), their clock: read once, for both checks and for the submit rule.
    policy = policy_for(user_id=enrollment.user_id, assignment=question.assignment)
    now = timezone.now()
    opens_at = _hidden_until(policy, now)
    if opens_at is not None:
        raise AssignmentNotOpen(question.assignment, opens_at)
    # An exam: only during the student's own running session.
    refusal = policy.exam_refusal(now)
    if refusal is not None:
        raise QuestionLocked(question.assignment, refusal)
    # A pooled question drawn for someone else does not exist for this student: its page, its
    # answers and its code endpoints all start here.
    if not pool_question_given(question=question, user_id=enrollment.user_id):
        raise Http404
    return MemberQuestion(question=question, enrollment=enrollment, policy=policy)


def question_get_for_member(*, user: AbstractBaseUser, question_id: int) -> tuple[Question, Enrollment]:
    """``question_access_for_member`` as (question, enrollment), the version loaded."""
    access = question_access_for_member(user=user, question_id=question_id)
    return access.question, access.enrollment
