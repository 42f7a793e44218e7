"""Which assignments are exams, for ``scoring.policy`` (imported by it: no scoring imports here).

The exam settings of a course (``{assignment_id: ExamState}``, usually empty) are kept in the
cache under one key per course (shared by web nodes when the cache is Redis), so asking about an
assignment that is not an exam — nearly every question, any number of assignments — costs no
query once the course is cached; ``exams.services`` drops the course's entry when settings
change, and entries expire after ``TTL_SECONDS`` whatever happens. The student's clock (their
``ExamSession``) is always read from the database, and only for an exam."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from assessments.models import Assignment
from django.core.cache import cache

from exams.models import ExamSession, ExamSettings
from exams.rules import ExamState

TTL_SECONDS = 300


def _key(course_id: int) -> str:
    return f"exams:course:{course_id}"


def exam_state_forget(*, course_id: int) -> None:
    cache.delete(_key(course_id))


def _course_states(course_ids: set[int]) -> dict[int, ExamState]:
    found = cache.get_many([_key(pk) for pk in course_ids])
    states: dict[int, ExamState] = {}
    missing = set()
    for pk in course_ids:
        value = found.get(_key(pk))
        if value is None:
            missing.add(pk)
        else:
            states.update(value)
    if missing:
        fresh: dict[str, dict[int, ExamState]] = {_key(pk): {} for pk in missing}
        rows = ExamSettings.objects.filter(assignment__course_id__in=missing, enabled=True).values_list(
            "assignment_id", "assignment__course_id", "hold_feedback", "closes_at"
        )
        for assignment_id, course_id, hold_feedback, closes_at in rows:
            fresh[_key(course_id)][assignment_id] = ExamState(hold_feedback=hold_feedback, closes_at=closes_at)
        for value in fresh.values():
            states.update(value)
        cache.set_many(fresh, timeout=TTL_SECONDS)
    return states


def exam_states_for(*, assignments: Iterable[Assignment]) -> dict[int, ExamState]:
    """The exam states (without a student's clock) of those assignments that are exams."""
    assignments = [a for a in assignments if a.pk is not None and a.course_id is not None]
    if not assignments:
        return {}
    states = _course_states({a.course_id for a in assignments})
    return {a.pk: states[a.pk] for a in assignments if a.pk in states}


def exam_state_for(*, assignment: Assignment, user_id: int | None) -> ExamState | None:
    """The exam state of one assignment with this student's clock; ``None`` when it is not an exam."""
    state = exam_states_for(assignments=[assignment]).get(assignment.pk)
    if state is None or user_id is None:
        return state
    session = ExamSession.objects.filter(assignment_id=assignment.pk, student_id=user_id).first()
    if session is None:
        return state
    return replace(state, started_at=session.started_at, ends_at=session.ends_at)
