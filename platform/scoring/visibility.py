"""What a student may see of their own results: thin wrappers over ``scoring.policy`` (the rule
is ``StudentPolicy.reveals_feedback`` / ``reveals_hidden``: the assignment's visibility settings
and the student's own due date — an extension moves "after the due date" too; staff see all).
The student's extension is only looked up when the answer depends on the due date (or on an
exam's clock: an exam may hold feedback until it closes; whether an assignment is one is cached)."""

from __future__ import annotations

from datetime import datetime

from assessments.models import Assignment
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.policy import StudentPolicy, exam_state_of, policy_for


def feedback_visible(*, assignment: Assignment, user_id: int, viewer_is_staff: bool, at: datetime | None = None) -> bool:
    """Scores, check results and quiz feedback."""
    policy = StudentPolicy.of(assignment, staff=viewer_is_staff, exam=None if viewer_is_staff else exam_state_of(assignment))
    if policy.feedback_follows_due_date:  # the common case (immediately, or staff) needs no query
        policy = policy_for(user_id=user_id, assignment=assignment, staff=viewer_is_staff)
    return policy.reveals_feedback(at or timezone.now())


def hidden_checks_visible(
    *, assignment: Assignment, user_id: int, viewer_is_staff: bool, at: datetime | None = None
) -> bool:
    policy = StudentPolicy.of(assignment, staff=viewer_is_staff, exam=None if viewer_is_staff else exam_state_of(assignment))
    if policy.hidden_follows_due_date:
        policy = policy_for(user_id=user_id, assignment=assignment, staff=viewer_is_staff)
    return policy.reveals_hidden(at or timezone.now())


def feedback_hidden_message(assignment: Assignment) -> str:
    if assignment.feedback_visibility == Assignment.FeedbackVisibility.AFTER_DUE:
        return _("Your work was received. Scores and feedback are shown after the due date.")
    return _("Your work was received. Scores and feedback are not shown for this assignment.")
