"""Grading an answer writes the score, a grade row and an audit row together; late credit and
clamping; regrades; stale and superseded answers are refused; splitting the work evenly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from grading.models import GradingAssignment, ManualGrade
from grading.services import GradingRefused, grading_split_evenly, grading_take, manual_grade_save
from scoring.models import ScoreChange
from submissions.models import QuizAnswer

from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import answer


def test_it_writes_score_grade_and_audit_in_one_go(student, ta, explain):
    given = answer(student, explain)
    assert given.needs_manual and given.score is None

    grade = manual_grade_save(answer_id=given.pk, grader=ta, checked=[0, 1], comment="좋아요 <b>!</b>")

    given.refresh_from_db()
    assert given.score == 2.0 and given.fraction == pytest.approx(2 / 3) and not given.correct
    assert given.feedback == "좋아요 <b>!</b>"
    assert grade.raw_score == 2.0 and grade.grader == ta
    assert [item["index"] for item in grade.rubric_checked] == [0, 1]
    assert grade.rubric_checked[0]["text"]["ko"] == "위치 변화에 강하다"
    change = ScoreChange.objects.get(quiz_answer=given)
    assert (change.old_score, change.new_score, change.source, change.actor) == (None, 2.0, ScoreChange.Source.MANUAL, ta)
    assert GradingAssignment.objects.get(question=explain, student=student).grader == ta


def test_it_clamps_the_total_to_the_question_points(student, ta, explain):
    given = answer(student, explain)
    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0, 1, 2], adjustment=1)  # 1+1+2+1 > 3
    given.refresh_from_db()
    assert given.score == 3.0 and given.correct

    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0], adjustment=-3)
    given.refresh_from_db()
    assert given.score == 0.0


def test_it_ignores_rubric_indexes_that_do_not_exist(student, ta, explain):
    given = answer(student, explain)
    grade = manual_grade_save(answer_id=given.pk, grader=ta, checked=[2, 7, -1])
    assert grade.raw_score == 2.0 and [item["index"] for item in grade.rubric_checked] == [2]


def test_it_applies_the_late_credit_factor_of_the_answer_time(student, ta, explain):
    assignment = explain.assignment
    given = answer(student, explain)
    # Due two days (started) before the answer was given: 0.25 per day off.
    assignment.due_at = given.created_at - timedelta(days=1, hours=1)
    assignment.save()
    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0, 2])
    given.refresh_from_db()
    assert given.score == pytest.approx(3 * 0.5)
    assert ManualGrade.objects.get(quiz_answer=given).raw_score == 3.0


def test_a_students_extension_spares_the_late_penalty(student, fellow, ta, instructor, explain):
    from scoring.models import Extension

    assignment = explain.assignment
    mine, theirs = answer(student, explain), answer(fellow, explain)
    assignment.due_at = mine.created_at - timedelta(days=1, hours=1)
    assignment.save()
    Extension.objects.create(assignment=assignment, student=student, granted_by=instructor,
                             due_at=mine.created_at + timedelta(days=1))
    manual_grade_save(answer_id=mine.pk, grader=ta, checked=[0, 2])
    manual_grade_save(answer_id=theirs.pk, grader=ta, checked=[0, 2])
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.score == pytest.approx(3.0) and theirs.score == pytest.approx(1.5)


def test_a_regrade_records_old_and_new(student, ta, instructor, explain):
    given = answer(student, explain)
    first = manual_grade_save(answer_id=given.pk, grader=ta, checked=[0])
    manual_grade_save(answer_id=given.pk, grader=instructor, checked=[0, 1], comment="재채점",
                      expected_grade_id=first.pk)
    changes = list(ScoreChange.objects.filter(quiz_answer=given).order_by("id"))
    assert [(c.old_score, c.new_score) for c in changes] == [(None, 1.0), (1.0, 2.0)]
    assert changes[1].actor == instructor and "regraded" in changes[1].reason and "재채점" in changes[1].reason
    assert ManualGrade.objects.filter(quiz_answer=given).count() == 2


def test_a_concurrent_grade_is_refused_and_nothing_is_written(student, ta, ta2, explain):
    given = answer(student, explain)
    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0], expected_grade_id=None)
    with pytest.raises(GradingRefused):
        # ta2 opened the page before ta saved: they saw no grade.
        manual_grade_save(answer_id=given.pk, grader=ta2, checked=[0, 1, 2], expected_grade_id=None)
    given.refresh_from_db()
    assert given.score == 1.0
    assert ScoreChange.objects.filter(quiz_answer=given).count() == 1


def test_a_superseded_answer_cannot_be_graded(student, ta, explain):
    old = answer(student, explain, "첫 답")
    answer(student, explain, "둘째 답")
    with pytest.raises(GradingRefused):
        manual_grade_save(answer_id=old.pk, grader=ta, checked=[0])
    assert not ScoreChange.objects.filter(quiz_answer=old).exists()


def test_split_deals_pending_answers_round_robin(course, instructor, ta, ta2, explain, second):
    from courses.models import Enrollment

    from tests.platform.conftest import make_user

    students = []
    for index in range(5):
        user = make_user(f"s{index}")
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        students.append(user)
        answer(user, explain)
    graded = answer(students[0], second)
    manual_grade_save(answer_id=graded.pk, grader=ta, checked=[0])  # not pending: not dealt out
    for user in students[1:3]:
        answer(user, second)

    report = grading_split_evenly(course=course, grader_ids=[ta.pk, ta2.pk, instructor.pk, 999])
    assert report.total == 7 and sorted(report.assigned.values()) == [2, 2, 3]
    # Per question in username order: s0 -> ta, s1 -> ta2, s2 -> prof, s3 -> ta, ...
    owners = {a.student.username: a.grader.username for a in GradingAssignment.objects.filter(question=explain)}
    assert owners == {"s0": "ta1", "s1": "ta2", "s2": "prof", "s3": "ta1", "s4": "ta2"}


def test_split_without_rebalance_evens_out_around_existing_work(course, ta, ta2, explain):
    from courses.models import Enrollment

    from tests.platform.conftest import make_user

    for index in range(4):
        user = make_user(f"s{index}")
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        answer(user, explain)
    grading_split_evenly(course=course, grader_ids=[ta.pk])
    assert GradingAssignment.objects.filter(grader=ta).count() == 4
    assert grading_split_evenly(course=course, grader_ids=[ta.pk, ta2.pk]).total == 0
    report = grading_split_evenly(course=course, grader_ids=[ta.pk, ta2.pk], rebalance=True)
    assert report.total == 4 and report.assigned == {ta.pk: 2, ta2.pk: 2}


def test_split_refuses_graders_from_outside_the_course(course, student, other_staff, explain):
    answer(student, explain)
    with pytest.raises(GradingRefused):
        grading_split_evenly(course=course, grader_ids=[other_staff.pk, student.pk])
    assert not GradingAssignment.objects.exists()


def test_take_moves_an_answer_to_the_grader(student, ta, ta2, course, explain):
    given = answer(student, explain)
    grading_split_evenly(course=course, grader_ids=[ta.pk])
    grading_take(answer=given, grader=ta2)
    assert GradingAssignment.objects.get(question=explain, student=student).grader == ta2


def test_grading_is_atomic_when_the_audit_fails(student, ta, explain, monkeypatch):
    import grading.services

    given = answer(student, explain)

    def broken(**_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit down")

    monkeypatch.setattr(grading.services, "score_change_record", broken)
    with pytest.raises(RuntimeError):
        manual_grade_save(answer_id=given.pk, grader=ta, checked=[0])
    assert QuizAnswer.objects.get(pk=given.pk).score is None
    assert not ManualGrade.objects.exists()
