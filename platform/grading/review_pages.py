"""Context builders of the code review page and of the student's view of a review (reads only)."""

from __future__ import annotations

from typing import Any

from courses.models import Enrollment
from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import render_to_string
from scoring.policy import policy_for
from submissions.models import Submission

from grading.forms import GradeForm, GradingSettingsForm, LineCommentForm
from grading.models import CodeReview
from grading.order import review_token, settings_for
from grading.review_selectors import (
    automatic_points,
    code_lines,
    code_review_latest,
    grader_assigned,
    line_comments,
    student_label,
    submission_newer_graded,
)
from grading.rubric import rubric_items


def review_form(submission: Submission, data: Any = None) -> GradeForm:
    latest = code_review_latest(submission=submission)
    initial = {"checked": [], "adjustment": 0, "comment": "", "based_on": None}
    if latest is not None:
        initial = {
            "checked": [item["index"] for item in latest.rubric_checked], "adjustment": latest.adjustment,
            "comment": latest.comment, "based_on": latest.pk,
        }
    return GradeForm(
        data, initial=initial, items=rubric_items(submission.version), points=submission.question.points,
    )


def review_page_context(
    *, submission: Submission, grader: AbstractBaseUser, enrollment: Enrollment, who: str, form: GradeForm | None = None,
) -> dict[str, Any]:
    question = submission.question
    latest = code_review_latest(submission=submission)
    label, anonymous = student_label(
        submission=submission, course_settings=settings_for(question.assignment.course_id), reviewed=latest is not None,
    )
    form = form or review_form(submission)
    comments = line_comments(submission=submission)
    assigned = grader_assigned(submission=submission)
    values = form["checked"].value() or []
    newer = submission_newer_graded(submission=submission)
    return {
        "course": question.assignment.course, "question": question, "submission": submission,
        "token": review_token(submission.pk), "who": who,
        "student_label": label, "anonymous": anonymous,
        "lines": code_lines(submission=submission, comments=comments),
        "comment_form": LineCommentForm(),
        "items": rubric_items(submission.version),
        "form": form, "checked": {int(v) for v in values if str(v).lstrip("-").isdigit()},
        "review": latest,
        "reviews": list(CodeReview.objects.filter(submission=submission).select_related("grader")),
        "auto_points": automatic_points(submission, question.points),
        "credit_factor": policy_for(user_id=submission.user_id, assignment=question.assignment).credit(submission.created_at),
        "newer": newer, "newer_token": review_token(newer.pk) if newer else "",
        "assigned_to": assigned.grader if assigned else None,
        "is_instructor": enrollment.role == Enrollment.Role.INSTRUCTOR,
    }


def queue_context(*, course, grader: AbstractBaseUser, enrollment: Enrollment) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from grading.review_selectors import code_review_queue

    course_settings = settings_for(course.pk)
    return {
        "code_rows": code_review_queue(course=course, grader=grader),
        "grading_settings": course_settings,
        "settings_form": GradingSettingsForm(initial={"anonymous": course_settings.anonymous, "shuffled": course_settings.shuffled}),
        "may_change_settings": enrollment.can_regrade,
    }


def student_review_html(submission: Submission) -> str:
    """The review as the submission's owner (or staff) sees it below the feedback: the rubric
    items, the comment, and the code with the line comments beside their lines. Empty until a
    review is saved. Everything is escaped by the template engine (comments are plain text)."""
    latest = code_review_latest(submission=submission)
    if latest is None:
        return ""
    comments = line_comments(submission=submission)
    return render_to_string("grading/_student_code_review.html", {
        "review": latest, "submission": submission,
        "lines": code_lines(submission=submission, comments=comments) if comments else [],
    })
