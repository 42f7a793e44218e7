"""What a student may see of their own results, by the assignment's visibility settings and the
student's own due date (an extension moves "after the due date" too). Staff always see all."""

from __future__ import annotations

from datetime import datetime

from assessments.models import Assignment
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.deadlines import effective_window


def feedback_visible(*, assignment: Assignment, user_id: int, viewer_is_staff: bool, at: datetime | None = None) -> bool:
    """Scores, check results and quiz feedback."""
    if viewer_is_staff or assignment.feedback_visibility == Assignment.FeedbackVisibility.IMMEDIATELY:
        return True  # the common case needs no query
    return effective_window(user_id=user_id, assignment=assignment).reveals_feedback(at or timezone.now())


def hidden_checks_visible(
    *, assignment: Assignment, user_id: int, viewer_is_staff: bool, at: datetime | None = None
) -> bool:
    if viewer_is_staff or assignment.hidden_checks == Assignment.HiddenChecks.ALWAYS:
        return True
    if assignment.hidden_checks == Assignment.HiddenChecks.NEVER:
        return False
    return effective_window(user_id=user_id, assignment=assignment).reveals_hidden(at or timezone.now())


def feedback_hidden_message(assignment: Assignment) -> str:
    if assignment.feedback_visibility == Assignment.FeedbackVisibility.AFTER_DUE:
        return _("Your work was received. Scores and feedback are shown after the due date.")
    return _("Your work was received. Scores and feedback are not shown for this assignment.")
