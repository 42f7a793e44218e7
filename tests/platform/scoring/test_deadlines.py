"""policy_for: an extension moves the due and close dates and adds attempts; the submit
policy and the late credit of code and quiz grading use the student's own window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from scoring.models import Extension
from scoring.policy import policy_for
from submissions.services.errors import SubmitRefused

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.scoring.helpers import answer, graded_submission

NOW = timezone.now()  # one instant for every date a test sets, so differences are exact


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def set_dates(assignment, *, due_hours: float | None, close_hours: float | None = None, **fields):  # type: ignore[no-untyped-def]
    now = NOW
    assignment.due_at = now + timedelta(hours=due_hours) if due_hours is not None else None
    assignment.closes_at = now + timedelta(hours=close_hours) if close_hours is not None else None
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.save()
    return assignment


def extend(assignment, student, *, due_hours: float, close_hours: float | None = None, extra: int = 0):  # type: ignore[no-untyped-def]
    now = NOW
    return Extension.objects.create(
        assignment=assignment, student=student, due_at=now + timedelta(hours=due_hours),
        closes_at=now + timedelta(hours=close_hours) if close_hours is not None else None, extra_attempts=extra,
    )


def test_without_an_extension_the_window_is_the_assignments(student, quiz_assignment):
    set_dates(quiz_assignment, due_hours=-1, close_hours=5)
    window = policy_for(user_id=student.pk, assignment=quiz_assignment)
    assert (window.due_at, window.closes_at, window.max_attempts) == (
        quiz_assignment.due_at, quiz_assignment.closes_at, 2
    )
    assert window.extension is None and window.days_late(timezone.now()) == 1


def test_an_extension_without_close_date_moves_the_late_period_along(student, fellow, quiz_assignment):
    set_dates(quiz_assignment, due_hours=-48, close_hours=-24)  # closed a day ago for everyone
    extend(quiz_assignment, student, due_hours=24, extra=1)
    mine = policy_for(user_id=student.pk, assignment=quiz_assignment)
    theirs = policy_for(user_id=fellow.pk, assignment=quiz_assignment)
    assert mine.due_at - quiz_assignment.due_at == timedelta(hours=72)
    assert mine.closes_at - mine.due_at == quiz_assignment.closes_at - quiz_assignment.due_at
    assert mine.is_open(timezone.now()) and not theirs.is_open(timezone.now())
    assert mine.max_attempts == 3 and theirs.max_attempts == 2


def test_an_explicit_close_date_wins(student, quiz_assignment):
    set_dates(quiz_assignment, due_hours=-48, close_hours=-24)
    extend(quiz_assignment, student, due_hours=1, close_hours=2)
    window = policy_for(user_id=student.pk, assignment=quiz_assignment)
    assert window.closes_at == window.due_at + timedelta(hours=1)


def test_the_submit_policy_lets_an_extended_student_in_and_keeps_others_out(student, fellow, quiz_question):
    set_dates(quiz_question.assignment, due_hours=-48, close_hours=-24)
    extend(quiz_question.assignment, student, due_hours=24)
    assert answer(student, quiz_question, "right").score == pytest.approx(2.0)  # on time for them
    with pytest.raises(SubmitRefused, match="closed"):
        answer(fellow, quiz_question, "right")


def test_extra_attempts_raise_the_students_limit(student, quiz_question):
    extend(quiz_question.assignment, student, due_hours=24, extra=1)
    for _ in range(3):
        answer(student, quiz_question, "wrong")
    with pytest.raises(SubmitRefused, match="3 attempts"):
        answer(student, quiz_question, "wrong")


def test_quiz_late_credit_counts_from_the_students_own_due_date(student, fellow, quiz_question):
    set_dates(quiz_question.assignment, due_hours=-30)  # 0.25 per started day late
    extend(quiz_question.assignment, student, due_hours=-1)
    mine, theirs = answer(student, quiz_question, "right"), answer(fellow, quiz_question, "right")
    assert (mine.late_days, mine.score) == (1, pytest.approx(1.5))
    assert (theirs.late_days, theirs.score) == (2, pytest.approx(1.0))


def test_a_late_curve_replaces_the_daily_penalty(student, quiz_question):
    set_dates(quiz_question.assignment, due_hours=-30, late_curve=[[0, 0.9], [24, 0.4]])
    assert answer(student, quiz_question, "right").score == pytest.approx(0.8)


def test_code_grading_uses_the_extension_for_late_credit(student, fellow, code_question, inprocess):
    set_dates(code_question.assignment, due_hours=-10, late_penalty_per_day=0.5)
    extend(code_question.assignment, student, due_hours=10)
    mine = graded_submission(student, code_question, CORRECT_SCALE)
    theirs = graded_submission(fellow, code_question, CORRECT_SCALE)
    assert (mine.score, mine.late_days) == (pytest.approx(3.0), 0)
    assert (theirs.score, theirs.late_days) == (pytest.approx(1.5), 1)
