"""Who is given which pooled question, and what an assignment is worth: THE rule for pools.

``pool_layout`` reads an assignment's pools and the stored draws in three queries; the totals
(gradebook, progress page, LTI passback, the assignment page) ask its ``counts`` (does this
question count for this student?) and ``max_points`` (the assignment's maximum: every question
outside a pool, plus ``draw x points`` per pool). A student without a stored draw (they have not
opened the assignment yet) is shown the draw they would get now, computed from their seed."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from assessments.models import Assignment, Question
from assessments.seeds import pool_seed
from courses.models import Enrollment
from courses.selectors import course_students

from pools.models import PoolDraw, PoolMember, QuestionPool


@dataclass(frozen=True)
class Pool:
    id: int
    assignment_id: int
    name: str
    draw: int
    points: float
    member_ids: tuple[int, ...]  # in bundle order


def draw_order(*, user_id: int, assignment_id: int, pool_name: str, member_ids: Iterable[int]) -> list[int]:
    """Every member, shuffled by the student's pool seed: the draw is its first ``draw`` entries.
    Sorted by id first, so the bundle order of the members does not change a draw."""
    order = sorted(member_ids)
    random.Random(pool_seed(user_id=user_id, assignment_id=assignment_id, pool_name=pool_name)).shuffle(order)
    return order


def complete_draw(*, pool: Pool, user_id: int, stored: Iterable[int]) -> list[int]:
    """The student's ``pool.draw`` questions: the stored ones that are still members (in the order
    drawn), then as many more as needed from their seeded order."""
    members = set(pool.member_ids)
    kept = [question_id for question_id in stored if question_id in members][: pool.draw]
    if len(kept) < pool.draw:
        order = draw_order(user_id=user_id, assignment_id=pool.assignment_id, pool_name=pool.name,
                           member_ids=pool.member_ids)
        kept.extend([q for q in order if q not in kept][: pool.draw - len(kept)])
    return kept


@dataclass
class PoolLayout:
    pools: dict[int, Pool] = field(default_factory=dict)
    pool_of: dict[int, int] = field(default_factory=dict)  # question id -> pool id
    stored: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (user, pool) -> drawn, in order
    _drawn: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def drawn(self, *, user_id: int, pool_id: int) -> list[int]:
        key = (user_id, pool_id)
        if key not in self._drawn:
            self._drawn[key] = complete_draw(pool=self.pools[pool_id], user_id=user_id, stored=self.stored.get(key, []))
        return self._drawn[key]

    def is_stored(self, *, user_id: int, pool_id: int) -> bool:
        """Whether the student's whole draw is stored (they have seen it)."""
        return len([q for q in self.stored.get((user_id, pool_id), []) if q in self.pools[pool_id].member_ids]) \
            >= self.pools[pool_id].draw

    def counts(self, *, user_id: int, question_id: int) -> bool:
        """Whether the question is this student's: outside every pool, or drawn for them."""
        pool_id = self.pool_of.get(question_id)
        return pool_id is None or question_id in self.drawn(user_id=user_id, pool_id=pool_id)

    def max_points(self, questions: Iterable[Question]) -> float:
        """What these (active) questions of one assignment are worth to every student."""
        total, pools = 0.0, set()
        for question in questions:
            pool_id = self.pool_of.get(question.pk)
            if pool_id is None:
                total += question.points
            else:
                pools.add(pool_id)
        return total + sum(self.pools[p].draw * self.pools[p].points for p in pools)

    def slot_count(self, questions: Iterable[Question]) -> int:
        """How many of these questions each student is given."""
        count, pools = 0, set()
        for question in questions:
            pool_id = self.pool_of.get(question.pk)
            if pool_id is None:
                count += 1
            else:
                pools.add(pool_id)
        return count + sum(self.pools[p].draw for p in pools)


def pool_layout(
    *, assignment_ids: Iterable[int], user_ids: Iterable[int] | None = None,
    questions: Iterable[Question] | None = None,
) -> PoolLayout:
    """The pools of these assignments with the stored draws of these users (all when None).
    ``questions``: the assignments' questions, read with ``select_related("pool_member")``; when
    none of them is in a pool, no query at all (the gradebook's and progress page's budget)."""
    assignment_ids = list(assignment_ids)
    layout = PoolLayout()
    if not assignment_ids:
        return layout
    if questions is not None and not any(_in_pool(question) for question in questions):
        return layout
    pools = list(QuestionPool.objects.filter(assignment_id__in=assignment_ids))
    if not pools:  # most assignments: one query, and every question counts for everyone
        return layout
    members: dict[int, list[int]] = defaultdict(list)
    for pool_id, question_id in (
        PoolMember.objects.filter(pool__in=pools, question__active=True)
        .order_by("question__position", "question_id").values_list("pool_id", "question_id")
    ):
        members[pool_id].append(question_id)
        layout.pool_of[question_id] = pool_id
    for pool in pools:
        layout.pools[pool.pk] = Pool(id=pool.pk, assignment_id=pool.assignment_id, name=pool.name,
                                     draw=min(pool.draw, len(members[pool.pk])), points=pool.points,
                                     member_ids=tuple(members[pool.pk]))
    draws = PoolDraw.objects.filter(pool_id__in=layout.pools)
    if user_ids is not None:
        draws = draws.filter(user_id__in=list(user_ids))
    for user_id, pool_id, question_id in draws.order_by("slot", "id").values_list("user_id", "pool_id", "question_id"):
        layout.stored.setdefault((user_id, pool_id), []).append(question_id)
    return layout


def _in_pool(question: Question) -> bool:
    try:
        question.pool_member  # noqa: B018 (read from select_related: no query)
    except PoolMember.DoesNotExist:
        return False
    return True


def pool_users_of(*, question: Question, user_ids: Iterable[int]) -> set[int]:
    """Of these students, those the question is given to (all of them outside a pool)."""
    users = set(user_ids)
    layout = pool_layout(assignment_ids=[question.assignment_id], user_ids=users)
    if question.pk not in layout.pool_of:
        return users
    return {user_id for user_id in users if layout.counts(user_id=user_id, question_id=question.pk)}


def pool_names_of(*, assignment_id: int) -> dict[int, str]:
    """``{question id: "name (draw k of n)"}`` for the assignment page's staff view."""
    layout = pool_layout(assignment_ids=[assignment_id], user_ids=[])
    return {
        question_id: f"{layout.pools[pool_id].name} ({layout.pools[pool_id].draw}/{len(layout.pools[pool_id].member_ids)})"
        for question_id, pool_id in layout.pool_of.items()
    }


@dataclass
class StudentDraw:
    enrollment: Enrollment
    questions: list[Question]
    seen: bool  # stored (they have been shown it); else the draw they would get now


@dataclass
class PoolReport:
    pool: QuestionPool
    members: list[tuple[Question, int]]  # (question, students given it)
    students: list[StudentDraw]


def pool_reports(*, assignment: Assignment) -> list[PoolReport]:
    """The staff page: each pool of the assignment, its questions, and which students got which."""
    enrollments = list(course_students(course=assignment.course_id))
    layout = pool_layout(assignment_ids=[assignment.pk], user_ids=[e.user_id for e in enrollments])
    questions = {q.pk: q for q in Question.objects.filter(pk__in=layout.pool_of)}
    reports = []
    for pool in QuestionPool.objects.filter(assignment=assignment):
        info = layout.pools[pool.pk]
        given: dict[int, int] = defaultdict(int)
        students = []
        for enrollment in enrollments:
            drawn = layout.drawn(user_id=enrollment.user_id, pool_id=pool.pk)
            for question_id in drawn:
                given[question_id] += 1
            students.append(StudentDraw(
                enrollment=enrollment, questions=[questions[q] for q in drawn],
                seen=layout.is_stored(user_id=enrollment.user_id, pool_id=pool.pk),
            ))
        reports.append(PoolReport(
            pool=pool, members=[(questions[q], given[q]) for q in info.member_ids], students=students,
        ))
    return reports
