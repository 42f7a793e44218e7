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


def _settings_policy(*, assignment: Assignment, viewer_is_staff: bool) -> StudentPolicy:
    """The policy without the student's own dates: enough whenever an answer does not follow them."""
    return StudentPolicy.of(assignment, staff=viewer_is_staff, exam=None if viewer_is_staff else exam_state_of(assignment))


def feedback_visible(*, assignment: Assignment, user_id: int, viewer_is_staff: bool, at: datetime | None = None) -> bool:
    """Scores, check results and quiz feedback."""
    policy = _settings_policy(assignment=assignment, viewer_is_staff=viewer_is_staff)
    if policy.feedback_follows_due_date:  # the common case (immediately, or staff) needs no query
        policy = policy_for(user_id=user_id, assignment=assignment, staff=viewer_is_staff)
    return policy.reveals_feedback(at or timezone.now())


def hidden_checks_visible(
    *, assignment: Assignment, user_id: int, viewer_is_staff: bool, at: datetime | None = None
) -> bool:
    policy = _settings_policy(assignment=assignment, viewer_is_staff=viewer_is_staff)
    if policy.hidden_follows_due_date:
        policy = policy_for(user_id=user_id, assignment=assignment, staff=viewer_is_staff)
    return policy.reveals_hidden(at or timezone.now())


def outcome_visible(
    *, assignment: Assignment, user_id: int, viewer_is_staff: bool, hidden_checks: bool = True,
    at: datetime | None = None,
) -> tuple[bool, bool]:
    """``(feedback_visible, hidden_checks_visible)`` of one result, reading the student's policy
    (extension, exam clock) at most once for both, and only when an answer follows it. The second
    is only asked when the feedback is shown and ``hidden_checks`` (the result has hidden checks):
    otherwise it changes nothing and is ``False``."""
    at = at or timezone.now()
    policy = _settings_policy(assignment=assignment, viewer_is_staff=viewer_is_staff)
    own = policy.feedback_follows_due_date
    if own:
        policy = policy_for(user_id=user_id, assignment=assignment, staff=viewer_is_staff)
    feedback = policy.reveals_feedback(at)
    if not (feedback and hidden_checks):
        return feedback, False
    if policy.hidden_follows_due_date and not own:
        policy = policy_for(user_id=user_id, assignment=assignment, staff=viewer_is_staff)
    return True, policy.reveals_hidden(at)


def feedback_hidden_message(assignment: Assignment) -> str:
    if assignment.feedback_visibility == Assignment.FeedbackVisibility.AFTER_DUE:
        return _("Your work was received. Scores and feedback are shown after the due date.")
    return _("Your work was received. Scores and feedback are not shown for this assignment.")
