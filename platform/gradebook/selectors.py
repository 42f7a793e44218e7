"""The course grade table: best score per student and question (after late penalty), per-assignment
sums and totals. Deliberately simple; dashboards come later."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from assessments.models import Assignment, Question
from courses.models import Course, Enrollment
from courses.selectors import course_students
from pools.selectors import pool_layout
from submissions.attempts import best_scores


@dataclass
class GradeRow:
    enrollment: Enrollment
    by_assignment: list[float] = field(default_factory=list)
    total: float = 0.0


@dataclass
class GradeTable:
    assignments: list[tuple[Assignment, float]]  # (assignment, max points)
    rows: list[GradeRow]
    max_total: float


def gradebook_table(*, course: Course) -> GradeTable:
    assignments = list(Assignment.objects.filter(course=course))
    questions = list(Question.objects.filter(assignment__course=course, active=True))
    assignment_of = {question.pk: question.assignment_id for question in questions}
    # Pools count per slot, and only the questions given to a student count (``pools.selectors``).
    layout = pool_layout(assignment_ids=[assignment.pk for assignment in assignments])
    points_by_assignment = {
        assignment.pk: layout.max_points(q for q in questions if q.assignment_id == assignment.pk)
        for assignment in assignments
    }
    # Summed per student once: looking through every best score for each student was quadratic.
    sums_of: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (user_id, question_id), score in best_scores(question_ids=assignment_of).items():
        if not layout.counts(user_id=user_id, question_id=question_id):
            continue
        sums_of[user_id][assignment_of[question_id]] += score
    table_rows = []
    for enrollment in course_students(course=course):
        sums = sums_of.get(enrollment.user_id, {})
        values = [round(sums.get(assignment.pk, 0.0), 2) for assignment in assignments]
        table_rows.append(GradeRow(enrollment=enrollment, by_assignment=values, total=round(sum(values), 2)))
    return GradeTable(
        assignments=[(assignment, points_by_assignment[assignment.pk]) for assignment in assignments],
        rows=table_rows,
        max_total=sum(points_by_assignment.values()),
    )
