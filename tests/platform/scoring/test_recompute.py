"""Changing a due date, the late curve or an extension recomputes stored late credit and audits
each changed score (source DEADLINE); manual scores and unchanged ones are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from scoring.models import ScoreChange
from scoring.policies import (
    PolicyRefused,
    assignment_policy_update,
    extension_grant,
    extension_revoke,
)
from scoring.services import score_change_record
from submissions.models import QuizAnswer

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.scoring.helpers import answer, graded_submission

NOW = timezone.now()
DEADLINE = ScoreChange.Source.DEADLINE


def deadline_changes():  # type: ignore[no-untyped-def]
    return list(ScoreChange.objects.filter(source=DEADLINE).order_by("id"))


def test_moving_the_due_date_later_restores_late_credit_and_audits_it(instructor, student, quiz_question):
    assignment = quiz_question.assignment
    assignment_policy_update(assignment=assignment, actor=instructor, values={"due_at": NOW - timedelta(hours=30)})
    late = answer(student, quiz_question, "right")
    assert late.score == pytest.approx(1.0)  # two started days late at 0.25 per day
    changed, report = assignment_policy_update(
        assignment=assignment, actor=instructor, values={"due_at": NOW + timedelta(days=1)}, note="snow day",
    )
    assert changed == ["due_at"] and report is not None and report.changed == 1
    late.refresh_from_db()
    assert (late.score, late.late_days) == (pytest.approx(2.0), 0)
    [change] = deadline_changes()
    assert (change.student, change.actor, change.quiz_answer_id) == (student, instructor, late.pk)
    assert (change.old_score, change.new_score) == (pytest.approx(1.0), pytest.approx(2.0))
    assert "due_at" in change.reason and "snow day" in change.reason


def test_a_new_curve_recomputes_code_scores_from_the_raw_points(instructor, student, code_question, inprocess):
    assignment = code_question.assignment
    assignment_policy_update(assignment=assignment, actor=instructor, values={"due_at": NOW - timedelta(hours=5)})
    submission = graded_submission(student, code_question, CORRECT_SCALE)
    assert submission.score == pytest.approx(3.0)  # no penalty configured yet
    _changed, report = assignment_policy_update(
        assignment=assignment, actor=instructor, values={"late_curve": [[0, 0.5]], "late_curve_mode": "step"},
    )
    submission.refresh_from_db()
    assert report.changed == 1 and submission.score == pytest.approx(1.5)
    assert submission.counts_as_attempt and submission.attempt == 1
    assert deadline_changes()[-1].submission_id == submission.pk


def test_a_visibility_change_recomputes_nothing(instructor, student, quiz_question):
    answer(student, quiz_question, "right")
    changed, report = assignment_policy_update(
        assignment=quiz_question.assignment, actor=instructor, values={"feedback_visibility": "never"},
    )
    assert changed == ["feedback_visibility"] and report is None and deadline_changes() == []


def test_saving_the_same_values_changes_and_audits_nothing(instructor, student, quiz_question):
    assignment = quiz_question.assignment
    answer(student, quiz_question, "right")
    changed, report = assignment_policy_update(
        assignment=assignment, actor=instructor, values={"due_at": assignment.due_at, "max_attempts": 2},
    )
    assert (changed, report, deadline_changes()) == ([], None, [])


def test_an_extension_recomputes_only_that_student_and_removing_it_restores(instructor, student, fellow, quiz_question):
    assignment = quiz_question.assignment
    assignment_policy_update(assignment=assignment, actor=instructor, values={"due_at": NOW - timedelta(hours=1)})
    mine, theirs = answer(student, quiz_question, "right"), answer(fellow, quiz_question, "right")
    assert mine.score == theirs.score == pytest.approx(1.5)
    _extension, report = extension_grant(
        assignment=assignment, student_id=student.pk, due_at=NOW + timedelta(days=2), closes_at=None,
        extra_attempts=0, reason="illness", actor=instructor,
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert report.changed == 1 and mine.score == pytest.approx(2.0) and theirs.score == pytest.approx(1.5)
    [granted] = deadline_changes()
    assert granted.student == student and "illness" in granted.reason
    extension_revoke(extension=_extension, actor=instructor)
    mine.refresh_from_db()
    assert mine.score == pytest.approx(1.5)
    assert [(c.old_score, c.new_score) for c in deadline_changes()] == [(1.5, 2.0), (2.0, 1.5)]


def test_manually_graded_scores_are_left_alone(instructor, student, quiz_question):
    assignment = quiz_question.assignment
    row = answer(student, quiz_question, "wrong")
    QuizAnswer.objects.filter(pk=row.pk).update(score=1.0)
    score_change_record(student_id=student.pk, question_id=quiz_question.pk, old_score=0.0, new_score=1.0,
                        source=ScoreChange.Source.MANUAL, actor=instructor, quiz_answer_id=row.pk)
    _changed, report = assignment_policy_update(
        assignment=assignment, actor=instructor, values={"due_at": NOW - timedelta(days=3)}
    )
    row.refresh_from_db()
    assert report.skipped_manual == 1 and row.score == 1.0 and deadline_changes() == []


def test_extensions_are_only_for_students_of_the_course(instructor, outsider, quiz_assignment):
    with pytest.raises(PolicyRefused):
        extension_grant(assignment=quiz_assignment, student_id=outsider.pk, due_at=NOW, closes_at=None,
                        extra_attempts=0, reason="", actor=instructor)
    with pytest.raises(PolicyRefused):
        extension_grant(assignment=quiz_assignment, student_id=instructor.pk, due_at=NOW, closes_at=None,
                        extra_attempts=0, reason="", actor=instructor)
