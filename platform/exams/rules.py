"""The exam as ``scoring.policy.StudentPolicy`` sees it: a plain value, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class ExamState:
    """An exam's settings as they bear on one student, and that student's clock (when known)."""

    hold_feedback: bool
    closes_at: datetime | None  # the exam's own close; None: the student's window of the assignment
    started_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def started(self) -> bool:
        return self.started_at is not None

    def running(self, at: datetime) -> bool:
        return self.started_at is not None and self.ends_at is not None and at < self.ends_at

    def time_up(self, at: datetime) -> bool:
        return self.ends_at is not None and at >= self.ends_at


def exam_ends_at(
    *, start: datetime, minutes: int, factor: Decimal | float = 1, extra_minutes: int = 0, closes_at: datetime | None
) -> datetime:
    """The student's own end: start + limit × factor + extra, never after the window closes."""
    ends = start + timedelta(minutes=float(minutes) * float(factor) + extra_minutes)
    return min(ends, closes_at) if closes_at is not None else ends
