"""Reads of the code review queue: each student's latest graded submission to a code question,
its review status, the per-grader order and what a grader may see of the student. Every lookup is
scoped to one course (another course's id or token is a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.models import Question
from courses.models import Course
from courses.selectors import course_student_ids
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from scoring.policy import raw_fraction
from submissions.models import Submission

from grading.models import CodeReview, GradingAssignment, GradingSettings, LineComment
from grading.order import (
    anonymous_label,
    review_token,
    review_token_read,
    settings_for,
    shuffle_key,
)
from grading.selectors import graders_by_student


def code_questions(*, course: Course) -> QuerySet[Question]:
    return (
        Question.objects.filter(assignment__course=course, kind="code")
        .select_related("assignment", "current_version")
        .order_by("assignment__position", "assignment_id", "position", "id")
    )


def code_question_get(*, course: Course, question_id: int) -> Question:
    question = code_questions(course=course).filter(pk=question_id).first()
    if question is None:
        raise Http404
    return question


def latest_graded(*, question: Question) -> QuerySet[Submission]:
    """Each student's newest graded submission (the one reviewed). Staff submissions are not in
    the queue."""
    newest = (
        Submission.objects.filter(question=OuterRef("question"), user=OuterRef("user"), status=Submission.Status.GRADED)
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    students = course_student_ids(course=question.assignment.course_id)
    return (
        Submission.objects.filter(question=question, user_id__in=students, id=Subquery(newest))
        .select_related("user")
        .order_by("user__username", "id")
    )


def automatic_points(submission: Submission, points: float) -> float:
    """The checks' points on the question's scale, before the late credit."""
    if submission.raw_score is None:
        return 0.0
    return round(raw_fraction(submission.raw_score, (submission.results or {}).get("max_score")) * points, 4)


def code_review_latest(*, submission: Submission) -> CodeReview | None:
    return CodeReview.objects.filter(submission=submission).select_related("grader").order_by("-created_at", "-id").first()


def reviewed_ids(submission_ids: list[int]) -> set[int]:
    return set(CodeReview.objects.filter(submission_id__in=submission_ids).values_list("submission_id", flat=True))


@dataclass
class ReviewRow:
    submission: Submission
    token: str
    label: str  # the student's name, or a pseudonym while anonymous and not reviewed
    anonymous: bool
    grader: Any
    pending: bool


def student_label(*, submission: Submission, course_settings: GradingSettings, reviewed: bool) -> tuple[str, bool]:
    """What a grader is shown of the student: the name once the review is saved or when the course
    does not grade anonymously, a pseudonym otherwise."""
    if course_settings.anonymous and not reviewed:
        return anonymous_label(question_id=submission.question_id, student_id=submission.user_id), True
    user = submission.user
    return f"{user.get_full_name() or user.username} ({user.username})", False


def review_rows(
    *, question: Question, grader: AbstractBaseUser, who: str = "all", status: str = "all",
) -> list[ReviewRow]:
    course_settings = settings_for(question.assignment.course_id)
    submissions = list(latest_graded(question=question))
    done = reviewed_ids([s.pk for s in submissions])
    assigned = graders_by_student(question=question)
    if course_settings.shuffled:
        submissions.sort(key=lambda s: shuffle_key(grader_id=grader.pk, question_id=question.pk, student_id=s.user_id))
    rows = []
    for submission in submissions:
        assignment = assigned.get(submission.user_id)
        if who == "mine" and (assignment is None or assignment.grader_id != grader.pk):
            continue
        pending = submission.pk not in done
        if (status == "pending" and not pending) or (status == "reviewed" and pending):
            continue
        label, anonymous = student_label(submission=submission, course_settings=course_settings, reviewed=not pending)
        rows.append(ReviewRow(
            submission=submission, token=review_token(submission.pk), label=label, anonymous=anonymous,
            grader=assignment.grader if assignment else None, pending=pending,
        ))
    return rows


@dataclass
class CodeQueueRow:
    question: Question
    submitted: int
    pending: int
    pending_mine: int
    unassigned: int


def code_review_queue(*, course: Course, grader: AbstractBaseUser) -> list[CodeQueueRow]:
    rows = []
    for question in code_questions(course=course):
        submissions = list(latest_graded(question=question))
        done = reviewed_ids([s.pk for s in submissions])
        assigned = graders_by_student(question=question)
        pending = [s for s in submissions if s.pk not in done]
        rows.append(CodeQueueRow(
            question=question, submitted=len(submissions), pending=len(pending),
            pending_mine=sum(1 for s in pending if s.user_id in assigned and assigned[s.user_id].grader_id == grader.pk),
            unassigned=sum(1 for s in pending if s.user_id not in assigned),
        ))
    return rows


def pending_code_pairs(*, course: Course, question_ids: list[int] | None) -> list[tuple[Question, int]]:
    """(question, student id) of every submission waiting for a review: what a split deals out."""
    pairs = []
    for question in code_questions(course=course):
        if question_ids is not None and question.pk not in question_ids:
            continue
        submissions = list(latest_graded(question=question))
        done = reviewed_ids([s.pk for s in submissions])
        pairs.extend((question, s.user_id) for s in submissions if s.pk not in done)
    return pairs


def submission_get_for_review(*, course: Course, token: str) -> Submission:
    submission_id = review_token_read(token)
    submission = (
        Submission.objects.select_related("user", "question__assignment__course", "version")
        .filter(id=submission_id, question__assignment__course=course, question__kind="code",
                status=Submission.Status.GRADED)
        .first()
        if submission_id is not None else None
    )
    if submission is None:
        raise Http404
    return submission


def submission_newer_graded(*, submission: Submission) -> Submission | None:
    newest = (
        Submission.objects.filter(question_id=submission.question_id, user_id=submission.user_id,
                                  status=Submission.Status.GRADED)
        .order_by("-created_at", "-id")
        .first()
    )
    return newest if newest is not None and newest.pk != submission.pk else None


def line_comment_get(*, course: Course, comment_id: int) -> LineComment:
    comment = (
        LineComment.objects.select_related("submission__question__assignment")
        .filter(id=comment_id, submission__question__assignment__course=course)
        .first()
    )
    if comment is None:
        raise Http404
    return comment


def line_comments(*, submission: Submission) -> list[LineComment]:
    return list(LineComment.objects.filter(submission=submission).select_related("author"))


@dataclass
class CodeLine:
    number: int
    text: str
    comments: list[LineComment]


def code_lines(*, submission: Submission, comments: list[LineComment]) -> list[CodeLine]:
    """The code split into lines, each comment attached to the last line of its range (where it
    is shown, below the lines it is about); a range past the end goes to the last line."""
    texts = submission.code.split("\n") or [""]
    lines = [CodeLine(number=index + 1, text=text, comments=[]) for index, text in enumerate(texts)]
    for comment in comments:
        lines[min(max(comment.line_end, 1), len(lines)) - 1].comments.append(comment)
    return lines


def grader_assigned(*, submission: Submission) -> GradingAssignment | None:
    return GradingAssignment.objects.filter(
        question_id=submission.question_id, student_id=submission.user_id
    ).select_related("grader").first()
