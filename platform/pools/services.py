"""Writes: the pools a bundle declares (``pools_sync``, called by the loader) and a student's
draw, stored the first time they are shown the assignment's questions (``pool_draws_store``)."""

from __future__ import annotations

from collections.abc import Iterable

from assessments.models import Assignment, Question
from django.utils.translation import gettext as _

from grader.bundle import PoolSource
from pools.models import PoolDraw, PoolMember, QuestionPool
from pools.selectors import PoolLayout, pool_layout


def pools_sync(*, assignment: Assignment, pools: list[PoolSource]) -> list[str]:
    """Make the assignment's pools those of its bundle (inside the loader's transaction). Stored
    draws stay: a pool that grows keeps every student's questions; a question that left the pool
    is replaced in the draws by the student's next one from their seeded order."""
    changes: list[str] = []
    questions = {q.slug: q for q in Question.objects.filter(assignment=assignment, active=True)}
    position_of = {slug: question.position for slug, question in questions.items()}
    declared = {pool.name for pool in pools}
    for gone in QuestionPool.objects.filter(assignment=assignment).exclude(name__in=declared):
        changes.append(f"  - pool {gone.name} (its questions now go to every student)")
        gone.delete()
    for source in pools:
        fields = {"draw": source.draw, "points": source.points,
                  "position": min(position_of[slug] for slug in source.questions)}
        pool = QuestionPool.objects.filter(assignment=assignment, name=source.name).first()
        if pool is None:
            pool = QuestionPool.objects.create(assignment=assignment, name=source.name, **fields)
            changes.append(f"  + pool {source.name}: {source.draw} of {len(source.questions)}, "
                           f"{source.points:g} points each")
        elif any(getattr(pool, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(pool, name, value)
            pool.save()
            changes.append(f"  ~ pool {source.name}: {source.draw} of {len(source.questions)}, {source.points:g} points each")
        wanted = {questions[slug].pk for slug in source.questions}
        current = set(pool.members.values_list("question_id", flat=True))
        if wanted != current:
            pool.members.exclude(question_id__in=wanted).delete()
            # A question moved here from another pool of this assignment: the one-pool rule holds.
            PoolMember.objects.filter(question_id__in=wanted - current).delete()
            PoolMember.objects.bulk_create([PoolMember(pool=pool, question_id=q) for q in wanted - current])
            if current:
                changes.append(f"  ~ pool {source.name}: questions {', '.join(source.questions)}")
    return changes


def pool_draws_store(*, assignment_id: int, user_id: int) -> PoolLayout:
    """Store the student's draw from each pool of the assignment where it is not stored yet (the
    first time they are shown its questions), and return the layout with it. Two requests at once
    store the same rows: the draw is a function of the seed and the stored rows."""
    layout = pool_layout(assignment_ids=[assignment_id], user_ids=[user_id])
    missing: list[PoolDraw] = []
    for pool_id in layout.pools:
        stored = layout.stored.get((user_id, pool_id), [])
        drawn = layout.drawn(user_id=user_id, pool_id=pool_id)
        next_slot = len(stored)
        for question_id in drawn:
            if question_id not in stored:
                missing.append(PoolDraw(pool_id=pool_id, user_id=user_id, question_id=question_id, slot=next_slot))
                next_slot += 1
    if missing:
        PoolDraw.objects.bulk_create(missing, ignore_conflicts=True)
        layout = pool_layout(assignment_ids=[assignment_id], user_ids=[user_id])
    return layout


def pool_questions_for_student(*, assignment_id: int, user_id: int, questions: Iterable[Question]) -> list[Question]:
    """The questions a student is shown: outside every pool, or drawn for them (stored now)."""
    questions = list(questions)
    if not PoolMember.objects.filter(question_id__in=[q.pk for q in questions]).exists():
        return questions
    layout = pool_draws_store(assignment_id=assignment_id, user_id=user_id)
    return [q for q in questions if layout.counts(user_id=user_id, question_id=q.pk)]


def pool_question_given(*, question: Question, user_id: int) -> bool:
    """Whether a student may see and answer this question: outside every pool, or drawn for them
    (the draw is stored now: opening a drawn question's page is seeing it)."""
    if not PoolMember.objects.filter(question_id=question.pk).exists():
        return True
    layout = pool_draws_store(assignment_id=question.assignment_id, user_id=user_id)
    return layout.counts(user_id=user_id, question_id=question.pk)


def pool_submit_refusal(*, question: Question, user_id: int) -> str | None:
    """Why a student may not answer this question (a pooled one drawn for others), or None."""
    if pool_question_given(question=question, user_id=user_id):
        return None
    return _("This question is in a pool and was not given to you; answer the questions on your assignment page.")
