"""Writes of the code review: a review (rubric items + adjustment on top of the automatic points),
its re-basing after a regrade, line comments, and the course's grading settings.

The score rule (one formula, scoring.policy): points = automatic points (the checks, on the
question's scale) + ticked items (negative items deduct) + adjustment, clamped to 0..question
points; the stored score is ``StudentPolicy.score_from_points(points, submitted at)`` (the
student's late credit). Each review is audited with source MANUAL.

A later regrade (scoring.regrade) rewrites the automatic result: the review's delta is kept on
top of the new automatic points (``code_review_reapply``, run on ``score_changed`` after the
regrade commits), as a new review row marked "re-applied after a regrade" with its own MANUAL
audit row. The deadline recomputation leaves reviewed submissions alone, as it does every score
set by hand (scoring/recompute.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from courses.models import Course, Enrollment
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from scoring.models import ScoreChange
from scoring.policy import policy_for
from scoring.services import score_change_record
from submissions.models import Submission

from grading.models import CodeReview, GradingAssignment, GradingSettings, LineComment
from grading.review_selectors import automatic_points, submission_newer_graded
from grading.rubric import clamp_points, rubric_items
from grading.services import NO_CHECK, GradingRefused

MAX_LINE_COMMENT = 2000


def _locked(submission_id: int) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("question__assignment", "version")
        .get(pk=submission_id)
    )


def _write(
    *, submission: Submission, actor: AbstractBaseUser | None, grader: AbstractBaseUser | None, source: str,
    rubric_checked: list[dict], adjustment: float, comment: str, reason: str,
) -> CodeReview:
    question = submission.question
    auto = automatic_points(submission, question.points)
    delta = sum(float(item["points"]) for item in rubric_checked) + adjustment
    raw = clamp_points(auto + delta, question.points)
    policy = policy_for(user_id=submission.user_id, assignment=question.assignment)
    score = policy.score_from_points(raw, submission.created_at)
    old_score = submission.score
    Submission.objects.filter(pk=submission.pk).update(score=score)
    submission.score = score
    review = CodeReview.objects.create(
        submission=submission, grader=grader if grader is not None and grader.is_authenticated else None,
        source=source, rubric_checked=rubric_checked, adjustment=adjustment, auto_points=auto,
        raw_score=raw, score=score, comment=comment,
    )
    score_change_record(
        student_id=submission.user_id, question_id=question.pk, old_score=old_score, new_score=score,
        source=ScoreChange.Source.MANUAL, actor=actor, submission_id=submission.pk,
        reason=f"{reason} {raw:g}/{question.points:g} (automatic {auto:g}, review {delta:+g})"
        + (f" — {comment}" if comment else ""),
    )
    return review


def code_review_save(
    *, submission_id: int, grader: AbstractBaseUser, checked: Sequence[int], adjustment: float = 0.0,
    comment: str = "", expected_review_id: object = NO_CHECK,
) -> CodeReview:
    """Review the student's latest graded submission. ``expected_review_id`` is the review the
    grader saw (None for none); a different current one means a concurrent grader, refused."""
    with transaction.atomic():
        submission = _locked(submission_id)
        if submission.status != Submission.Status.GRADED or not submission.question.is_code:
            raise GradingRefused(_("Only graded code submissions can be reviewed."))
        if submission_newer_graded(submission=submission) is not None:
            raise GradingRefused(_("The student has submitted again since; review the newest submission."))
        latest = CodeReview.objects.filter(submission=submission).order_by("-created_at", "-id").first()
        if expected_review_id is not NO_CHECK and (latest.pk if latest else None) != expected_review_id:
            raise GradingRefused(_("Someone else reviewed this submission while you were looking at it. "
                                   "Review their grade below and save again to replace it."))
        items = rubric_items(submission.version)
        wanted = sorted({index for index in checked if 0 <= index < len(items)})
        review = _write(
            submission=submission, actor=grader, grader=grader, source=CodeReview.Source.REVIEW,
            rubric_checked=[items[index].snapshot() for index in wanted], adjustment=float(adjustment),
            comment=comment.strip(), reason="code review" if latest is None else "code review again",
        )
        GradingAssignment.objects.update_or_create(
            question=submission.question, student_id=submission.user_id, defaults={"grader": grader},
        )
        return review


def code_review_reapply(*, submission_id: int, actor: AbstractBaseUser | None = None) -> CodeReview | None:
    """After a regrade rewrote the automatic result: keep the current review's items and
    adjustment on top of the new automatic points. None when there is no review or nothing moved."""
    with transaction.atomic():
        submission = _locked(submission_id)
        latest = CodeReview.objects.filter(submission=submission).order_by("-created_at", "-id").first()
        if latest is None or submission.status != Submission.Status.GRADED:
            return None
        auto = automatic_points(submission, submission.question.points)
        if abs(auto - latest.auto_points) < 1e-6 and submission.score is not None and abs(submission.score - latest.score) < 1e-6:
            return None
        return _write(
            submission=submission, actor=actor, grader=latest.grader, source=CodeReview.Source.REGRADE,
            rubric_checked=latest.rubric_checked, adjustment=latest.adjustment, comment=latest.comment,
            reason="code review re-applied after a regrade",
        )


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise GradingRefused(_("Write a comment first."))
    if len(body) > MAX_LINE_COMMENT:
        raise GradingRefused(_("A comment may be at most %(count)d characters long.") % {"count": MAX_LINE_COMMENT})
    return body


def line_comment_create(
    *, submission: Submission, author: AbstractBaseUser, line_start: int, line_end: int | None, body: str,
) -> LineComment:
    count = max(1, len(submission.code.split("\n")))
    end = line_start if line_end is None else line_end
    start, end = min(line_start, end), max(line_start, end)
    if start < 1 or end > count:
        raise GradingRefused(_("Choose lines between 1 and %(count)d.") % {"count": count})
    return LineComment.objects.create(
        submission=submission, author=author, line_start=start, line_end=end, body=_clean_body(body),
    )


def _may_change(comment: LineComment, *, actor: AbstractBaseUser, enrollment: Enrollment) -> None:
    if comment.author_id != actor.pk and enrollment.role != Enrollment.Role.INSTRUCTOR:
        raise GradingRefused(_("Only its author or an instructor may change this comment."), status=403)


def line_comment_update(*, comment: LineComment, actor: AbstractBaseUser, enrollment: Enrollment, body: str) -> LineComment:
    _may_change(comment, actor=actor, enrollment=enrollment)
    comment.body = _clean_body(body)
    comment.save(update_fields=["body", "updated_at"])
    return comment


def line_comment_delete(*, comment: LineComment, actor: AbstractBaseUser, enrollment: Enrollment) -> None:
    _may_change(comment, actor=actor, enrollment=enrollment)
    comment.delete()


def grading_settings_save(*, course: Course, actor: AbstractBaseUser, anonymous: bool, shuffled: bool) -> GradingSettings:
    row, _created = GradingSettings.objects.update_or_create(
        course=course, defaults={"anonymous": anonymous, "shuffled": shuffled, "updated_by": actor},
    )
    return row
