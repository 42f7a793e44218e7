"""Reads for the manual grading queue. Every lookup is scoped to one course, so an id taken from
another course's page is a 404, never somebody else's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.models import Question
from courses.models import Course
from courses.selectors import course_student_ids
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from submissions.models import QuizAnswer

from grading.models import GradingAssignment, ManualGrade
from grading.order import anonymous_label, settings_for, shuffle_key
from kinds import KINDS

WHO_CHOICES = ("mine", "all")
STATUS_CHOICES = ("pending", "graded", "all")


def question_is_manual(question: Question) -> bool:
    """Its current version waits for a person: the kind decides (``QuestionKind.grading_mode``)."""
    version = question.current_version
    kind = KINDS.get(version.kind) if version is not None else None
    return kind is not None and kind.grading_mode(version.spec) == "manual"


def manual_questions(*, course: Course) -> list[Question]:
    """Questions graded by staff: manual by their current spec, or with answers that were stored as
    needing staff (a bundle may have switched a question to automatic grading since)."""
    questions = (
        Question.objects.filter(assignment__course=course)
        .filter(kind__in=[name for name, kind in KINDS.items() if kind.grading != "worker"])
        .select_related("assignment", "current_version")
        .order_by("assignment__position", "assignment_id", "position", "id")
    )
    with_manual_answers = set(
        QuizAnswer.objects.filter(question__assignment__course=course, needs_manual=True)
        .values_list("question_id", flat=True)
        .distinct()
    )
    return [q for q in questions if question_is_manual(q) or q.pk in with_manual_answers]


def question_get_for_grading(*, course: Course, question_id: int) -> Question:
    question = next((q for q in manual_questions(course=course) if q.pk == question_id), None)
    if question is None:
        raise Http404
    return question


def latest_answers(*, question: Question) -> QuerySet[QuizAnswer]:
    """Each student's newest answer to the question (the one that gets graded), by username.
    Staff answers (trying a question out) are not in the queue."""
    newest = (
        QuizAnswer.objects.filter(question=OuterRef("question"), user=OuterRef("user"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    students = course_student_ids(course=question.assignment.course_id)
    return (
        QuizAnswer.objects.filter(question=question, user_id__in=students, id=Subquery(newest))
        .select_related("user")
        .order_by("user__username", "id")
    )


def is_pending(answer: QuizAnswer) -> bool:
    return answer.needs_manual and answer.score is None


def graders_by_student(*, question: Question) -> dict[int, GradingAssignment]:
    rows = GradingAssignment.objects.filter(question=question).select_related("grader")
    return {row.student_id: row for row in rows}


@dataclass
class QueueRow:
    question: Question
    answered: int  # students with an answer
    pending: int
    pending_mine: int
    unassigned: int  # pending and nobody's


def grading_queue(*, course: Course, grader: AbstractBaseUser) -> list[QueueRow]:
    rows = []
    for question in manual_questions(course=course):
        answers = list(latest_answers(question=question))
        assigned = graders_by_student(question=question)
        pending = [a for a in answers if is_pending(a)]
        rows.append(QueueRow(
            question=question, answered=len(answers), pending=len(pending),
            pending_mine=sum(1 for a in pending if a.user_id in assigned and assigned[a.user_id].grader_id == grader.pk),
            unassigned=sum(1 for a in pending if a.user_id not in assigned),
        ))
    return rows


@dataclass
class AnswerRow:
    answer: QuizAnswer
    grader: Any  # the assigned grader (a user) or None
    pending: bool
    label: str = ""  # the student as the grader sees them: a pseudonym while anonymous and pending
    anonymous: bool = False


def answer_student_label(*, answer: QuizAnswer, anonymous: bool) -> tuple[str, bool]:
    """The course's anonymous grading hides the name until the answer's grade is saved."""
    if anonymous and is_pending(answer):
        return anonymous_label(question_id=answer.question_id, student_id=answer.user_id), True
    user = answer.user
    return f"{user.get_full_name() or user.username} ({user.username})", False


def default_who(*, question: Question, grader: AbstractBaseUser) -> str:
    """"mine" once work has been split and some of it is the grader's; otherwise everything, so a
    course without a split does not open on an empty list."""
    return "mine" if GradingAssignment.objects.filter(question=question, grader=grader).exists() else "all"


def answer_rows(
    *, question: Question, grader: AbstractBaseUser, who: str = "all", status: str = "all"
) -> list[AnswerRow]:
    assigned = graders_by_student(question=question)
    course_settings = settings_for(question.assignment.course_id)
    answers = list(latest_answers(question=question))
    if course_settings.shuffled:
        answers.sort(key=lambda a: shuffle_key(grader_id=grader.pk, question_id=question.pk, student_id=a.user_id))
    rows = []
    for answer in answers:
        assignment = assigned.get(answer.user_id)
        if who == "mine" and (assignment is None or assignment.grader_id != grader.pk):
            continue
        pending = is_pending(answer)
        if (status == "pending" and not pending) or (status == "graded" and pending):
            continue
        label, anonymous = answer_student_label(answer=answer, anonymous=course_settings.anonymous)
        rows.append(AnswerRow(
            answer=answer, grader=assignment.grader if assignment else None, pending=pending,
            label=label, anonymous=anonymous,
        ))
    return rows


def answer_get_for_grading(*, course: Course, answer_id: int) -> QuizAnswer:
    answer = (
        QuizAnswer.objects.select_related("user", "question__assignment__course", "version")
        .filter(id=answer_id, question__assignment__course=course)
        .first()
    )
    if answer is None or not (answer.needs_manual or question_is_manual(answer.question)):
        raise Http404
    return answer


def answer_newer_exists(*, answer: QuizAnswer) -> QuizAnswer | None:
    """The student's newest answer when ``answer`` has been superseded, else None."""
    newest = (
        QuizAnswer.objects.filter(question_id=answer.question_id, user_id=answer.user_id)
        .order_by("-created_at", "-id")
        .first()
    )
    return newest if newest is not None and newest.pk != answer.pk else None


def answer_history(*, answer: QuizAnswer) -> QuerySet[QuizAnswer]:
    """The student's other answers to the same question, newest first (shown as superseded)."""
    return (
        QuizAnswer.objects.filter(question_id=answer.question_id, user_id=answer.user_id)
        .exclude(pk=answer.pk)
        .order_by("-created_at", "-id")
    )


@dataclass
class Neighbours:
    previous_id: int | None
    next_id: int | None
    next_pending_id: int | None  # after this one, wrapping around: where "Save & next" goes
    position: int  # 1-based place in the list, 0 when not in it
    count: int


def answer_neighbours(*, answer: QuizAnswer, grader: AbstractBaseUser, who: str) -> Neighbours:
    rows = answer_rows(question=answer.question, grader=grader, who=who)
    ids = [row.answer.pk for row in rows]
    if answer.pk not in ids:
        pending = [row.answer.pk for row in rows if row.pending and row.answer.pk != answer.pk]
        return Neighbours(None, None, pending[0] if pending else None, 0, len(ids))
    index = ids.index(answer.pk)
    after = rows[index + 1:] + rows[:index]
    next_pending = next((row.answer.pk for row in after if row.pending), None)
    return Neighbours(
        previous_id=ids[index - 1] if index > 0 else None,
        next_id=ids[index + 1] if index + 1 < len(ids) else None,
        next_pending_id=next_pending, position=index + 1, count=len(ids),
    )


def manual_grade_latest(*, answer: QuizAnswer) -> ManualGrade | None:
    return ManualGrade.objects.filter(quiz_answer=answer).select_related("grader").order_by("-created_at", "-id").first()


def manual_grades(*, answer: QuizAnswer) -> QuerySet[ManualGrade]:
    return ManualGrade.objects.filter(quiz_answer=answer).select_related("grader").order_by("-created_at", "-id")
