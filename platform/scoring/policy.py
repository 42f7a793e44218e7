"""One student's grading policy for one assignment: the only answer to "may they submit now",
"how late is this", "what is it worth" and "what may they see".

``StudentPolicy`` is the assignment's dates, attempt limit, late curve and visibility settings
with the student's own ``Extension`` applied (own due date, optional close date, extra attempts,
and the late days the student spent: ``token_days``, one day later each, scoring/tokens.py),
plus whether the person asking is course staff (staff may always submit and see everything).

- ``credit(at)``, ``hours_late(at)``, ``days_late(at)`` — by the student's own due date.
- ``score(fraction, points, at)`` — the stored score, ``round(fraction * points * credit, 4)``;
  ``score_from_raw(raw, max_raw, points, at)`` for a grader's raw grade (fraction
  ``raw / max_raw``, a maximum of 0 counting as 1); ``score_from_points(earned, at)`` for points
  given by hand (manual grades, imports). The late credit is applied in one place
  (``score_from_points``). Grading, quiz answers, manual grades, score imports, regrades and the
  deadline recomputation all call these, so no other module multiplies by a credit
  (tests/platform/test_score_policy.py checks it).
- ``submit_refusal(at, used, question)`` — why a submission is refused now, or ``None``.
- ``reveals_feedback(at)``, ``reveals_hidden(at)`` — scores/feedback and hidden-check details.
- ``exam`` (an ``exams.rules.ExamState``, when the assignment is an exam): the student's clock.
  ``exam_refusal(at)`` — why the questions are not shown now (not started, time up);
  ``submit_refusal`` refuses outside the student's running session; an exam may hold feedback
  back until it closes.

Get one with ``policy_for(user_id=, assignment=)`` (one query), many with
``policies_for(assignment=, user_ids=)`` (one query for all of them), one student's for many
assignments with ``policies_for_student(user_id=, assignments=)`` (one query).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assessments.models import Assignment, Question
from django.utils.translation import gettext as _
from exams.lookup import exam_state_for, exam_states_for
from exams.rules import ExamState

from scoring.curve import late_credit
from scoring.models import Extension


def raw_fraction(raw: float, max_raw: float | None) -> float:
    """A raw grade as a fraction of its maximum; a missing or zero maximum counts as 1."""
    return raw / float(max_raw or 1.0)


@dataclass(frozen=True)
class StudentPolicy:
    assignment: Assignment
    opens_at: datetime | None
    due_at: datetime | None
    closes_at: datetime | None
    max_attempts: int  # 0 = unlimited
    extension: Extension | None = None
    staff: bool = False  # course staff: may always submit, always see everything
    exam: ExamState | None = None  # the assignment is an exam (exams app): the student's clock

    @classmethod
    def of(
        cls, assignment: Assignment, extension: Extension | None = None, *, staff: bool = False,
        exam: ExamState | None = None,
    ) -> StudentPolicy:
        """The policy under a given extension row (or none). The row's due date (or, when it has
        none, the assignment's) and its close date move one day later per late day the student
        spent (``token_days``). Without its own close date, an extension keeps the assignment's
        late period: the close date moves by as much as the due date (and never before the new
        due date), so an extension past the close date is never useless."""
        if extension is None:
            return cls(
                assignment=assignment, opens_at=assignment.opens_at, due_at=assignment.due_at,
                closes_at=assignment.closes_at, max_attempts=assignment.max_attempts, staff=staff, exam=exam,
            )
        shift = timedelta(days=extension.token_days)
        base_due = extension.due_at if extension.due_at is not None else assignment.due_at
        due_at = base_due + shift if base_due is not None else None
        closes_at = extension.closes_at + shift if extension.closes_at is not None else None
        if closes_at is None and assignment.closes_at is not None:
            if due_at is None:
                closes_at = assignment.closes_at
            elif assignment.due_at is not None:
                closes_at = max(assignment.closes_at, assignment.closes_at + (due_at - assignment.due_at))
            else:
                closes_at = max(assignment.closes_at, due_at)
        attempts = assignment.max_attempts + extension.extra_attempts if assignment.max_attempts else 0
        return cls(
            assignment=assignment, opens_at=assignment.opens_at, due_at=due_at,
            closes_at=closes_at, max_attempts=attempts, extension=extension, staff=staff, exam=exam,
        )

    @property
    def token_days(self) -> int:
        """Late days the student spent on this assignment (already in ``due_at`` / ``closes_at``)."""
        return self.extension.token_days if self.extension is not None else 0

    # The window.

    def not_open_yet(self, at: datetime) -> bool:
        return bool(self.opens_at and at < self.opens_at)

    def is_closed(self, at: datetime) -> bool:
        return bool(self.closes_at and at >= self.closes_at)

    def is_open(self, at: datetime) -> bool:
        return not (self.not_open_yet(at) or self.is_closed(at))

    def past_due(self, at: datetime) -> bool:
        return bool(self.due_at and at > self.due_at)

    # Lateness and the score.

    def hours_late(self, at: datetime) -> float:
        if not self.due_at or at <= self.due_at:
            return 0.0
        return (at - self.due_at).total_seconds() / 3600

    def days_late(self, at: datetime) -> int:
        """Whole days (started) after the due date; 0 when on time or without a due date."""
        return math.ceil(self.hours_late(at) / 24)

    def credit(self, at: datetime) -> float:
        """Late credit fraction for work submitted at ``at`` (1.0 on time): the assignment's late
        curve, or without one its per-day penalty (scoring.curve)."""
        assignment = self.assignment
        return late_credit(
            hours_late=self.hours_late(at), points=assignment.late_curve_points,
            mode=assignment.late_curve_mode, penalty_per_day=assignment.late_penalty_per_day,
        )

    def score(self, fraction: float, points: float, at: datetime) -> float:
        """The stored score of work worth ``fraction`` of ``points``, submitted at ``at``:
        ``round(fraction * points * credit, 4)``."""
        return self.score_from_points(fraction * points, at)

    def score_from_raw(self, raw: float, max_raw: float | None, points: float, at: datetime) -> float:
        """The stored score of a grader's raw grade ``raw`` out of ``max_raw`` (a missing or zero
        maximum counts as 1) on a question worth ``points``."""
        return self.score(raw_fraction(raw, max_raw), points, at)

    def score_from_points(self, earned: float, at: datetime) -> float:
        """The stored score of ``earned`` points before the late credit (a manual grade, an
        imported score; ``score`` comes here with ``fraction * points``). The only place the
        late credit is applied."""
        return round(earned * self.credit(at), 4)

    # Submitting.

    def attempts_left(self, used: int) -> int | None:
        """``None``: no limit (or staff)."""
        if self.staff or not self.max_attempts:
            return None
        return max(0, self.max_attempts - used)

    def submit_refusal(self, at: datetime, used: int, question: Question) -> str | None:
        """Why the student may not submit to ``question`` now (a translated message), or ``None``
        when they may. Course staff may always submit (to try their own questions)."""
        if self.staff:
            return None
        if not question.active or not self.assignment.published or question.current_version_id is None:
            return _("This question is not open for submissions.")
        if self.not_open_yet(at):
            return _("This assignment is not open yet.")
        if self.is_closed(at):
            return _("This assignment is closed.")
        exam_refusal = self.exam_refusal(at)
        if exam_refusal is not None:
            return exam_refusal
        if self.attempts_left(used) == 0:
            return _("You have used all %(count)d attempts for this question.") % {"count": self.max_attempts}
        return None

    # An exam: the student's own clock.

    def exam_refusal(self, at: datetime) -> str | None:
        """Why the student may neither see an exam's questions nor hand anything in now (a
        translated message), or ``None`` during their running session (and when not an exam)."""
        exam = self.exam
        if self.staff or exam is None or exam.running(at):
            return None
        if not exam.started:
            return _("This is an exam with a time limit: start it on the exam page to see the questions.")
        return _("Your exam time is up: nothing more is accepted.")

    def exam_closes_at(self) -> datetime | None:
        """When the exam is over for this student: its own close, else their window's close;
        without either, the end of their own time."""
        exam = self.exam
        if exam is None:
            return None
        return exam.closes_at or self.closes_at or exam.ends_at

    def exam_holds_feedback(self, at: datetime) -> bool:
        if self.staff or self.exam is None or not self.exam.hold_feedback:
            return False
        closes_at = self.exam_closes_at()
        return closes_at is None or at < closes_at

    # What the student sees.

    def reveals_feedback(self, at: datetime) -> bool:
        """Scores, check results and quiz feedback."""
        if self.staff:
            return True
        if self.exam_holds_feedback(at):
            return False
        mode = self.assignment.feedback_visibility
        if mode == Assignment.FeedbackVisibility.IMMEDIATELY:
            return True
        if mode == Assignment.FeedbackVisibility.AFTER_DUE:
            return self.past_due(at)
        return False

    def reveals_hidden(self, at: datetime) -> bool:
        """The details of hidden checks."""
        if self.staff:
            return True
        if self.exam_holds_feedback(at):
            return False
        mode = self.assignment.hidden_checks
        if mode == Assignment.HiddenChecks.ALWAYS:
            return True
        if mode == Assignment.HiddenChecks.AFTER_DUE:
            return self.past_due(at)
        return False

    @property
    def feedback_follows_due_date(self) -> bool:
        """Whether ``reveals_feedback`` depends on the due date (else the student's extension
        cannot change it and need not be looked up). An exam that holds feedback depends on the
        student's own dates and clock too."""
        if not self.staff and self.exam is not None and self.exam.hold_feedback:
            return True
        return not self.staff and self.assignment.feedback_visibility == Assignment.FeedbackVisibility.AFTER_DUE

    @property
    def hidden_follows_due_date(self) -> bool:
        if not self.staff and self.exam is not None and self.exam.hold_feedback:
            return True
        return not self.staff and self.assignment.hidden_checks == Assignment.HiddenChecks.AFTER_DUE


def exam_state_of(assignment: Assignment) -> ExamState | None:
    """The assignment's exam settings without a student's clock (cached: usually no query)."""
    return exam_states_for(assignments=[assignment]).get(assignment.pk)


def policy_for(*, user_id: int, assignment: Assignment, staff: bool = False) -> StudentPolicy:
    """The student's policy (their extension applied); ``staff`` when the person asking is course
    staff (their own submissions, or a staff member viewing a student's results). For an exam
    (exams app) the student's clock is read too (one more query, only for an exam)."""
    extension = Extension.objects.filter(assignment=assignment, student_id=user_id).first()
    exam = None if staff else exam_state_for(assignment=assignment, user_id=user_id)
    return StudentPolicy.of(assignment, extension, staff=staff, exam=exam)


@dataclass(frozen=True)
class Policies:
    """The policies of many students of one assignment: ``policies[user_id]``."""

    default: StudentPolicy
    extended: dict[int, StudentPolicy] = field(default_factory=dict)

    def __getitem__(self, user_id: int) -> StudentPolicy:
        return self.extended.get(user_id, self.default)


def policies_for(*, assignment: Assignment, user_ids: Iterable[int] | None = None) -> Policies:
    """Policies of many students in one query (all the assignment's students when ``user_ids``
    is None; a student outside ``user_ids`` would get the assignment's own dates)."""
    rows = Extension.objects.filter(assignment=assignment)
    if user_ids is not None:
        rows = rows.filter(student_id__in=list(user_ids))
    return Policies(
        default=StudentPolicy.of(assignment),
        extended={row.student_id: StudentPolicy.of(assignment, row) for row in rows},
    )


def policies_for_student(*, user_id: int, assignments: Iterable[Assignment]) -> dict[int, StudentPolicy]:
    """One student's policy for each of these assignments, in one query: ``{assignment_id: policy}``."""
    assignments = list(assignments)
    rows = Extension.objects.filter(student_id=user_id, assignment_id__in=[a.pk for a in assignments])
    by_assignment = {row.assignment_id: row for row in rows}
    # Exams (usually cached, no query): whether feedback is held; the student's clock is not read.
    exams = exam_states_for(assignments=assignments)
    return {a.pk: StudentPolicy.of(a, by_assignment.get(a.pk), exam=exams.get(a.pk)) for a in assignments}
