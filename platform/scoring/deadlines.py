"""A student's effective deadlines: the assignment's dates with the student's extension applied.

The one function everything asks (the submit policy, the late credit at grading time, the
recomputation after a deadline change, feedback visibility): ``effective_window``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assessments.models import Assignment

from scoring.models import Extension


@dataclass(frozen=True)
class Window:
    assignment: Assignment
    opens_at: datetime | None
    due_at: datetime | None
    closes_at: datetime | None
    max_attempts: int  # 0 = unlimited
    extension: Extension | None = None

    def is_open(self, at: datetime) -> bool:
        if self.opens_at and at < self.opens_at:
            return False
        return not (self.closes_at and at >= self.closes_at)

    def not_open_yet(self, at: datetime) -> bool:
        return bool(self.opens_at and at < self.opens_at)

    def is_closed(self, at: datetime) -> bool:
        return bool(self.closes_at and at >= self.closes_at)

    def hours_late(self, at: datetime) -> float:
        return self.assignment.hours_late(at, due_at=self.due_at)

    def days_late(self, at: datetime) -> int:
        return math.ceil(self.hours_late(at) / 24)

    def credit(self, at: datetime) -> float:
        """Late credit fraction for work submitted at ``at`` (1.0 on time)."""
        return self.assignment.credit_factor(at, due_at=self.due_at)

    def reveals_hidden(self, at: datetime) -> bool:
        return self.assignment.reveals_hidden(at, due_at=self.due_at)

    def reveals_feedback(self, at: datetime) -> bool:
        return self.assignment.reveals_feedback(at, due_at=self.due_at)


def window_with_extension(assignment: Assignment, extension: Extension | None) -> Window:
    """The window for a given extension row (or none). Without its own close date, an extension
    keeps the assignment's late period: the close date moves by as much as the due date (and
    never before the new due date), so an extension past the close date is never useless."""
    if extension is None:
        return Window(
            assignment=assignment, opens_at=assignment.opens_at, due_at=assignment.due_at,
            closes_at=assignment.closes_at, max_attempts=assignment.max_attempts,
        )
    closes_at = extension.closes_at
    if closes_at is None and assignment.closes_at is not None:
        if assignment.due_at is not None:
            closes_at = max(assignment.closes_at, assignment.closes_at + (extension.due_at - assignment.due_at))
        else:
            closes_at = max(assignment.closes_at, extension.due_at)
    attempts = assignment.max_attempts + extension.extra_attempts if assignment.max_attempts else 0
    return Window(
        assignment=assignment, opens_at=assignment.opens_at, due_at=extension.due_at,
        closes_at=closes_at, max_attempts=attempts, extension=extension,
    )


def effective_window(*, user_id: int, assignment: Assignment) -> Window:
    extension = Extension.objects.filter(assignment=assignment, student_id=user_id).first()
    return window_with_extension(assignment, extension)


def effective_windows(*, assignment: Assignment, user_ids: set[int] | None = None) -> dict[int, Window]:
    """Windows of many students in one query; students without an extension are absent (use
    ``window_with_extension(assignment, None)`` for them)."""
    rows = Extension.objects.filter(assignment=assignment)
    if user_ids is not None:
        rows = rows.filter(student_id__in=user_ids)
    return {row.student_id: window_with_extension(assignment, row) for row in rows}


def late_credit(answer: Any) -> float:
    """Late credit of a stored submission or quiz answer, under its student's own deadline."""
    window = effective_window(user_id=answer.user_id, assignment=answer.question.assignment)
    return window.credit(answer.created_at)
