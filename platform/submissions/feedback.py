"""Feedback HTML for a submission, rendered on the server from the stored result (the browser
inserts it as-is, so everything here is escaped by the template engine)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html
from scoring.visibility import (
    feedback_hidden_message,
    feedback_visible,
    hidden_checks_visible,
    outcome_visible,
)

from grader.result import CheckOutcome, GradeResult
from submissions.models import Submission


def result_visible(results: dict[str, Any], *, reveal_hidden: bool) -> dict[str, Any]:
    """The stored ``GradeResult.to_dict()``, reduced to ``public_dict()`` unless hidden checks may
    be shown. Reuses the grader's own rule so both sides agree on what "hidden" hides."""
    fields = {key: value for key, value in results.items() if key in GradeResult.__dataclass_fields__}
    fields["checks"] = [
        CheckOutcome(**{k: v for k, v in check.items() if k in CheckOutcome.__dataclass_fields__})
        for check in results.get("checks", [])
    ]
    result = GradeResult(**fields)
    return result.to_dict() if reveal_hidden else result.public_dict()


def reveals_hidden(submission: Submission, *, viewer_is_staff: bool) -> bool:
    # The owner's due date (an extension moves it) decides "after the due date".
    return hidden_checks_visible(
        assignment=submission.question.assignment, user_id=submission.user_id, viewer_is_staff=viewer_is_staff
    )


def reveals_feedback(submission: Submission, *, viewer_is_staff: bool) -> bool:
    return feedback_visible(
        assignment=submission.question.assignment, user_id=submission.user_id, viewer_is_staff=viewer_is_staff
    )


def has_hidden_checks(results: dict[str, Any] | None) -> bool:
    """Whether a stored result has a hidden check: without one, revealing hidden checks changes
    nothing (``public_dict`` is then ``to_dict``), so the rule need not be asked."""
    return bool(results) and any(check.get("hidden") for check in results.get("checks", []))


def outcome_shown(submission: Submission, *, viewer_is_staff: bool) -> tuple[bool, bool]:
    """``(reveals_feedback, reveals_hidden)`` of a graded submission, the owner's policy read at
    most once for both (``scoring.visibility.outcome_visible``); the second is ``False`` whenever
    it would change nothing (feedback not shown, or no hidden check)."""
    return outcome_visible(
        assignment=submission.question.assignment, user_id=submission.user_id, viewer_is_staff=viewer_is_staff,
        hidden_checks=has_hidden_checks(submission.results),
    )


def feedback_html(
    submission: Submission, *, viewer_is_staff: bool, revealed: bool | None = None,
    reveal_hidden: bool | None = None,
) -> str | None:
    """``revealed``, ``reveal_hidden``: the caller's ``reveals_feedback`` and ``reveals_hidden`` of
    this graded submission (``outcome_shown``), if it asked already."""
    if not submission.is_final:
        return None
    graded = submission.status == Submission.Status.GRADED
    shown = revealed
    if graded and shown is None:
        shown = reveals_feedback(submission, viewer_is_staff=viewer_is_staff)
    if graded and not shown:
        return format_html(
            '<div class="feedback-body feedback-hidden"><p class="notice">{}</p></div>',
            feedback_hidden_message(submission.question.assignment),
        )
    context: dict[str, Any] = {"submission": submission}
    if submission.results:
        revealed = reveal_hidden
        if revealed is None:  # only a hidden check has anything to reveal
            revealed = has_hidden_checks(submission.results) and reveals_hidden(submission, viewer_is_staff=viewer_is_staff)
        result = result_visible(submission.results, reveal_hidden=revealed)
        context.update(result=result, checks=result["checks"], revealed=revealed)
    context["review_html"] = review_html(submission, viewer_is_staff=viewer_is_staff, revealed=shown)
    return render_to_string("submissions/feedback.html", context)


def review_html(submission: Submission, *, viewer_is_staff: bool, revealed: bool | None = None) -> str:
    """Staff's code review (rubric items, comments beside the lines), "" when there is none or the
    feedback is not shown yet. Only the owner and course staff get here (submission_get_for_viewer,
    the owner's own code page). ``revealed``: as in ``feedback_html``."""
    if submission.status != Submission.Status.GRADED:
        return ""
    if revealed is None:
        revealed = reveals_feedback(submission, viewer_is_staff=viewer_is_staff)
    if not revealed:
        return ""
    from grading.review_pages import student_review_html

    return student_review_html(submission)
