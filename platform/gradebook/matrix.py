"""The gradebook matrix: students x questions, the best score per cell (after late penalty), the
manual answers still waiting for staff, per-assignment sums and totals; with the page's filters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from assessments.models import Assignment, Question
from courses.models import Course, Enrollment
from courses.selectors import course_students
from django.db.models import Q
from pools.selectors import pool_layout
from submissions.attempts import best_scores_and_waiting


@dataclass
class Cell:
    score: float | None = None  # best score so far; None when nothing scored
    pending: bool = False  # the newest answer waits for manual grading
    attempted: bool = False
    given: bool = True  # False: a pooled question drawn for other students, not this one (``pools``)

    @property
    def complete(self) -> bool:
        return self.score is not None and not self.pending


@dataclass
class Column:
    question: Question
    assignment: Assignment

    @property
    def key(self) -> str:
        return f"{self.assignment.slug}/{self.question.slug}"


@dataclass
class MatrixRow:
    enrollment: Enrollment
    cells: list[Cell]
    by_assignment: list[float] = field(default_factory=list)
    groups: list[tuple[list[Cell], float]] = field(default_factory=list)  # per assignment, for the page
    total: float = 0.0
    pending_by_assignment: list[int] = field(default_factory=list)  # answers waiting for staff
    complete_count: int = 0  # questions with a score and nothing waiting
    column_count: int = 0

    @property
    def incomplete(self) -> bool:
        return self.complete_count < self.column_count

    @property
    def pending(self) -> int:
        return sum(self.pending_by_assignment)


@dataclass
class Matrix:
    assignments: list[tuple[Assignment, float, int]]  # (assignment, max points, column count)
    columns: list[Column]
    rows: list[MatrixRow]
    max_total: float

    @property
    def width(self) -> int:  # table columns: student, questions, one sum per assignment, total
        return len(self.columns) + len(self.assignments) + 2

    @property
    def groups(self) -> list[tuple[Assignment, float, list[Column]]]:
        return [
            (assignment, points, [c for c in self.columns if c.assignment.pk == assignment.pk])
            for assignment, points, _count in self.assignments
        ]


@dataclass(frozen=True)
class MatrixFilters:
    assignment_id: int | None = None
    search: str = ""
    only_incomplete: bool = False
    user_id: int | None = None  # one student's row only (their progress page: the same rule, same total)


def gradebook_matrix(*, course: Course, filters: MatrixFilters | None = None, cells: bool = True) -> Matrix:
    """``cells=False``: the rows carry only the sums, totals and pending counts (no ``cells`` nor
    ``groups``): what the overview page shows, without one object per student and question."""
    filters = filters or MatrixFilters()
    assignments = list(Assignment.objects.filter(course=course))
    if filters.assignment_id is not None:
        assignments = [a for a in assignments if a.pk == filters.assignment_id]
    by_id = {a.pk: a for a in assignments}
    questions = list(
        Question.objects.filter(assignment_id__in=by_id, active=True).select_related("pool_member")
        .order_by("position", "id")
    )
    columns = [
        Column(question=q, assignment=by_id[q.assignment_id])
        for a in assignments for q in questions if q.assignment_id == a.pk
    ]
    # The columns come grouped by assignment: each assignment's columns are one slice.
    spans: list[slice] = []
    for a in assignments:
        start = spans[-1].stop if spans else 0
        spans.append(slice(start, start + sum(1 for column in columns if column.assignment.pk == a.pk)))
    ids = [column.question.pk for column in columns]
    only_users = None if filters.user_id is None else [filters.user_id]
    students = course_students(course=course)
    if filters.user_id is not None:
        students = students.filter(user_id=filters.user_id)
    if filters.search:
        term = filters.search.strip()
        students = list(students.filter(
            Q(user__username__icontains=term) | Q(user__first_name__icontains=term) | Q(user__last_name__icontains=term)
        ))
        if only_users is None:  # only the attempts of the students found
            only_users = [enrollment.user_id for enrollment in students]
    # Best score per cell, the answers whose newest attempt waits for staff and (for the cells only)
    # "has tried": aggregated in the database, no object per attempt (``submissions.attempts``).
    scores = best_scores_and_waiting(question_ids=ids, user_ids=only_users, attempted=cells)
    best, pending, attempted = scores.best, scores.waiting, scores.attempted
    # Pools: a student's scores count only on the questions given to them, and every pool is worth
    # draw x points (``pools.selectors``, the one rule for every total).
    layout = pool_layout(assignment_ids=by_id, user_ids=only_users, questions=questions)
    pooled = layout.pool_of  # question id -> pool id; empty when no question is in a pool (most courses)
    slots = layout.slot_count(column.question for column in columns)  # questions each student is given
    # Each column's position in the assignment list, for the per-assignment sums.
    position = {a.pk: index for index, a in enumerate(assignments)}
    group_of = {column.question.pk: position[column.assignment.pk] for column in columns}
    # Per student once, over their own scores only (not every question of the course): one pass
    # over the best scores and one over the waiting answers.
    best_by_user: dict[int, dict[int, float]] = defaultdict(dict)
    for (user_id, question_id), score in best.items():
        best_by_user[user_id][question_id] = score
    pending_by_user: dict[int, set[int]] = defaultdict(set)
    for user_id, question_id in pending:
        pending_by_user[user_id].add(question_id)
    no_scores: dict[int, float] = {}
    nothing_waiting: set[int] = set()
    width = len(assignments)
    rows = []
    for enrollment in students:
        user_id = enrollment.user_id
        own_best = best_by_user.get(user_id, no_scores)
        own_pending = pending_by_user.get(user_id, nothing_waiting)
        if pooled:
            own_best = {q: score for q, score in own_best.items() if layout.counts(user_id=user_id, question_id=q)}
            own_pending = {q for q in own_pending if layout.counts(user_id=user_id, question_id=q)}
        sums = [0.0] * width
        complete = 0
        for question_id, score in own_best.items():
            sums[group_of[question_id]] += score or 0.0
            if score is not None and question_id not in own_pending:
                complete += 1
        waiting = [0] * width
        for question_id in own_pending:
            waiting[group_of[question_id]] += 1
        by_assignment = [round(value, 2) for value in sums]
        row = MatrixRow(
            enrollment=enrollment, cells=[], by_assignment=by_assignment, pending_by_assignment=waiting,
            complete_count=complete, column_count=slots, total=round(sum(by_assignment), 2),
        )
        if filters.only_incomplete and not row.incomplete:
            continue
        if cells:
            row.cells = [
                Cell(score=own_best.get(q), pending=q in own_pending, attempted=(user_id, q) in attempted,
                     given=q not in pooled or layout.counts(user_id=user_id, question_id=q))
                for q in ids
            ]
            row.groups = [(row.cells[span], total) for span, total in zip(spans, by_assignment, strict=True)]
        rows.append(row)
    points: dict[int, float] = {}
    counts: dict[int, int] = {}
    for a, span in zip(assignments, spans, strict=True):
        own = [column.question for column in columns[span]]
        points[a.pk], counts[a.pk] = layout.max_points(own), layout.slot_count(own)
    return Matrix(
        assignments=[(a, points[a.pk], counts[a.pk]) for a in assignments],
        columns=columns, rows=rows, max_total=sum(points.values()),
    )
