"""Reads for drafts, submissions and answers. Students see only their own rows; course staff see
their course's rows; anyone else gets a 404."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from assessments.models import Question
from courses.models import Enrollment
from courses.selectors import course_students, is_course_staff
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from submissions.models import Draft, QuizAnswer, Submission


@dataclass
class ViewedSubmission:
    """A submission its viewer may see (``submission_view_get``: the owner, or course staff)."""

    submission: Submission
    viewer: AbstractBaseUser

    @cached_property
    def viewer_is_staff(self) -> bool:
        """Whether the viewer is course staff (who may see hidden details). Asked when first
        needed: the owner's poll of a queued or running submission never needs it."""
        return is_course_staff(user=self.viewer, course=self.submission.question.assignment.course_id)


def submission_view_get(*, user: AbstractBaseUser, submission_id: int) -> ViewedSubmission:
    """The submission, for its owner or the course's staff (404 for anyone else), in one query;
    for a viewer other than the owner the staff check is a second one."""
    # Not the version: a status poll never reads it (a code review's rubric loads it on demand),
    # and its bundle files and texts would be decoded on every poll. No ordering: one row by id.
    submission = (
        Submission.objects.select_related("question__assignment").order_by().filter(id=submission_id).first()
    )
    if submission is None:
        raise Http404
    viewed = ViewedSubmission(submission=submission, viewer=user)
    if submission.user_id != user.pk and not viewed.viewer_is_staff:
        raise Http404
    return viewed


def submission_get_for_viewer(*, user: AbstractBaseUser, submission_id: int) -> tuple[Submission, bool]:
    """The submission and whether the viewer is course staff (who may see hidden details)."""
    viewed = submission_view_get(user=user, submission_id=submission_id)
    return viewed.submission, viewed.viewer_is_staff


def submission_history(*, user: AbstractBaseUser, question: Question, limit: int = 50) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user, question=question).order_by("-created_at", "-id")[:limit]


def submission_pending(*, user: AbstractBaseUser, question: Question) -> Submission | None:
    return (
        Submission.objects.filter(user=user, question=question, status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])
        .order_by("-created_at", "-id")
        .first()
    )


def submission_latest_final(*, user: AbstractBaseUser, question: Question) -> Submission | None:
    return (
        Submission.objects.filter(user=user, question=question, status__in=Submission.FINAL)
        .order_by("-created_at", "-id")
        .first()
    )


def draft_get(*, user: AbstractBaseUser, question: Question) -> Draft | None:
    return Draft.objects.filter(user=user, question=question).first()


def quiz_answer_history(*, user: AbstractBaseUser, question: Question, limit: int = 20) -> QuerySet[QuizAnswer]:
    return QuizAnswer.objects.filter(user=user, question=question).order_by("-created_at", "-id")[:limit]


@dataclass
class QuestionStatus:
    attempts: int = 0
    best_score: float | None = None
    latest_status: str = ""  # a Submission.Status, "answered", or "" when untouched
    pending_manual: bool = False


def question_statuses(*, user: AbstractBaseUser, questions: Iterable[Question]) -> dict[int, QuestionStatus]:
    """Per question: attempts, best score (after late penalty) and the latest status."""
    ids = [question.pk for question in questions]
    statuses = {question_id: QuestionStatus() for question_id in ids}
    for row in Submission.objects.filter(user=user, question_id__in=ids).order_by("created_at", "id"):
        status = statuses[row.question_id]
        status.attempts += int(row.counts_as_attempt)
        status.latest_status = row.status
        if row.score is not None and (status.best_score is None or row.score > status.best_score):
            status.best_score = row.score
    for answer in QuizAnswer.objects.filter(user=user, question_id__in=ids).order_by("created_at", "id"):
        status = statuses[answer.question_id]
        status.attempts += int(answer.counts_as_attempt)
        status.latest_status = "answered"
        status.pending_manual = answer.needs_manual and answer.score is None
        if answer.score is not None and (status.best_score is None or answer.score > status.best_score):
            status.best_score = answer.score
    return statuses


@dataclass
class StudentLatest:
    enrollment: Enrollment
    latest: Submission | None
    attempts: int
    best_score: float | None


def question_submissions_for_staff(*, question: Question) -> list[StudentLatest]:
    """Per student of the course: the latest code submission, attempts used and the best score."""
    students = course_students(course=question.assignment.course_id)
    rows: dict[int, StudentLatest] = {
        enrollment.user_id: StudentLatest(enrollment=enrollment, latest=None, attempts=0, best_score=None)
        for enrollment in students
    }
    for submission in Submission.objects.filter(question=question, user_id__in=rows).order_by("created_at", "id"):
        row = rows[submission.user_id]
        row.latest = submission
        row.attempts += int(submission.counts_as_attempt)
        if submission.score is not None and (row.best_score is None or submission.score > row.best_score):
            row.best_score = submission.score
    return list(rows.values())
