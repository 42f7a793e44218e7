"""A student's own progress in one course: every published assignment with their score (the
gradebook's rule: ``gradebook.matrix`` restricted to this student, so the total is the one staff
see), their own dates (``StudentPolicy``: extensions and late days applied), late work, answers
waiting for manual grading, and their late days. A score the student may not see yet
(``StudentPolicy.reveals_feedback``) is never in the page: neither in its row nor in the total.

Queries: a constant number whatever the number of assignments, questions or attempts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from assessments.models import Assignment
from courses.models import Course, Enrollment
from gradebook.matrix import MatrixFilters, gradebook_matrix
from gradebook.page import percent
from scoring.policy import StudentPolicy, policies_for_student
from scoring.tokens import (
    TokenBalance,
    TokenRules,
    balance_of,
    spend_refusal,
    token_balances,
    token_rules,
)
from submissions.attempts import scored_attempts

UPCOMING, OPEN, LATE, CLOSED = "upcoming", "open", "late", "closed"


@dataclass
class AssignmentProgress:
    assignment: Assignment
    policy: StudentPolicy
    max_points: float
    questions: int
    answered: int  # questions with any attempt
    points: float | None  # None: not shown to the student yet (or never)
    pending: int  # answers waiting for manual grading
    late_attempts: int  # attempts handed in after the student's own due date
    state: str  # UPCOMING / OPEN / LATE (open for late work) / CLOSED
    tokens_spent: int = 0
    token_cap: int = 0
    token_refusal: str | None = None  # None: a late day may be spent now

    @property
    def percent(self) -> float | None:
        return None if self.points is None else percent(self.points, self.max_points)

    @property
    def hidden(self) -> bool:
        return self.points is None

    @property
    def hidden_until_due(self) -> bool:
        return self.hidden and self.assignment.feedback_visibility == Assignment.FeedbackVisibility.AFTER_DUE

    @property
    def extended(self) -> bool:
        return self.policy.due_at != self.assignment.due_at

    @property
    def can_spend_token(self) -> bool:
        return self.token_refusal is None

    @property
    def next_token(self) -> int:
        return self.tokens_spent + 1


@dataclass
class Progress:
    course: Course
    enrollment: Enrollment
    rows: list[AssignmentProgress]
    total: float  # over the assignments whose scores the student may see
    max_total: float
    hidden: int  # assignments whose scores are not shown (not in the total)
    rules: TokenRules
    balance: TokenBalance
    at: datetime
    open_rows: list[AssignmentProgress] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return percent(self.total, self.max_total)

    @property
    def pending(self) -> int:
        return sum(row.pending for row in self.rows)


def _state(policy: StudentPolicy, at: datetime) -> str:
    if policy.not_open_yet(at):
        return UPCOMING
    if policy.is_closed(at):
        return CLOSED
    return LATE if policy.past_due(at) else OPEN


def student_progress(*, course: Course, enrollment: Enrollment, at: datetime) -> Progress:
    user_id = enrollment.user_id
    matrix = gradebook_matrix(course=course, filters=MatrixFilters(user_id=user_id))
    row = matrix.rows[0] if matrix.rows else None
    published = [(index, entry) for index, entry in enumerate(matrix.assignments) if entry[0].published]
    policies = policies_for_student(user_id=user_id, assignments=[a for _i, (a, _p, _c) in published])
    assignment_of = {column.question.pk: column.assignment.pk for column in matrix.columns}
    late: dict[int, int] = defaultdict(int)
    for attempt in scored_attempts(question_ids=assignment_of, user_ids=[user_id], graded_only=False):
        if attempt.late_days:
            late[assignment_of[attempt.question_id]] += 1
    rules = token_rules(course=course)
    balance = balance_of(token_balances(course=course, rules=rules, user_ids=[user_id]), user_id, rules)
    rows: list[AssignmentProgress] = []
    for index, (assignment, max_points, count) in published:
        policy = policies[assignment.pk]
        cells = row.groups[index][0] if row else []
        rows.append(AssignmentProgress(
            assignment=assignment, policy=policy, max_points=max_points, questions=count,
            answered=sum(1 for cell in cells if cell.attempted),
            points=(row.by_assignment[index] if row else 0.0) if policy.reveals_feedback(at) else None,
            pending=row.pending_by_assignment[index] if row else 0,
            late_attempts=late[assignment.pk], state=_state(policy, at),
            tokens_spent=balance.on(assignment.pk), token_cap=rules.cap_for(assignment.pk),
            token_refusal=spend_refusal(policy=policy, rules=rules, balance=balance, at=at),
        ))
    shown = [r for r in rows if not r.hidden]
    far_future = (1, at)
    open_rows = sorted(
        (r for r in rows if r.state in (OPEN, LATE)),
        key=lambda r: (0, r.policy.due_at) if r.policy.due_at else far_future,
    )
    return Progress(
        course=course, enrollment=enrollment, rows=rows,
        # the gradebook's total is round(sum of the rounded per-assignment sums, 2): the same here
        total=round(sum(r.points or 0.0 for r in shown), 2), max_total=sum(r.max_points for r in shown),
        hidden=len(rows) - len(shown), rules=rules, balance=balance, at=at, open_rows=open_rows,
    )
