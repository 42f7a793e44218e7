"""The live lab view's board from stored rows: who counts as active, what they are on, and that
only what they are working on now can flag them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone, translation
from insights.live import live_board

from tests.platform.insights import factories as f


def failing_checks() -> list[dict]:
    return [f.check("scale · small", False, message="out: 4 of 4 values differ")]


def test_only_students_active_in_the_window_are_listed(course, student, fellow, instructor, code_question):
    now = timezone.now()
    f.submission(user=student, question=code_question, at=now - timedelta(minutes=5), checks=failing_checks())
    f.submission(user=fellow, question=code_question, at=now - timedelta(minutes=50), checks=failing_checks())
    f.draft(user=instructor, question=code_question, at=now)  # staff trying the question: not a student
    board = live_board(course=course, now=now, minutes=30)
    assert [row.username for row in board.students] == ["owner"]
    assert board.enrolled == 2
    assert [q.pk for q in board.questions] == [code_question.pk]
    wider = live_board(course=course, now=now, minutes=60)
    # fellow failed 50 minutes ago without improving since: flagged, so listed first.
    assert [(row.username, row.struggling) for row in wider.students] == [("fellow", True), ("owner", False)]


def test_a_draft_saved_recently_makes_a_student_active_on_that_question(course, student, code_question, quiz_question):
    now = timezone.now()
    f.quiz_answer(user=student, question=quiz_question, at=now - timedelta(minutes=9), correct=True)
    f.draft(user=student, question=code_question, at=now - timedelta(minutes=1))
    row = live_board(course=course, now=now, minutes=30).students[0]
    assert row.current_question == code_question  # the latest thing they touched
    assert row.cells[code_question.pk].draft_at is not None
    assert row.cells[quiz_question.pk].full_marks is True


def test_an_old_failure_on_another_question_does_not_flag_a_student(course, student, code_question, quiz_question):
    now = timezone.now()
    for minutes in (130, 125, 120):  # three failures two hours ago, never fixed
        f.submission(user=student, question=code_question, at=now - timedelta(minutes=minutes), checks=failing_checks())
    f.quiz_answer(user=student, question=quiz_question, at=now - timedelta(minutes=2), correct=True)
    board = live_board(course=course, now=now, minutes=30)
    assert board.students[0].reasons == []
    assert board.questions == [quiz_question]  # not worked on in the window: not a column either
    # With the assignment chosen, the old question is a column: shown, still not flagged.
    board = live_board(course=course, now=now, minutes=30, assignment=code_question.assignment)
    assert board.students == []  # nothing on this assignment in the window
    row = live_board(course=course, now=now, minutes=180, assignment=code_question.assignment).students[0]
    assert row.cells[code_question.pk].tries == 3 and row.struggling  # within a 3-hour window it is current


def test_stuck_after_failing_flags_the_question_being_worked_on(course, student, code_question):
    now = timezone.now()
    f.submission(user=student, question=code_question, at=now - timedelta(minutes=25), checks=failing_checks())
    f.draft(user=student, question=code_question, at=now - timedelta(minutes=1))  # still typing
    with translation.override("en"):
        row = live_board(course=course, now=now, minutes=30).students[0]
    assert [(q.pk, reason) for q, reason in row.reasons] == [
        (code_question.pk, "no progress for 25 minutes after failing")]
    with translation.override("ko"):
        row = live_board(course=course, now=now, minutes=30).students[0]
    assert row.reasons[0][1] == "실패 후 25분째 진전 없음"


def test_assignment_filter_keeps_the_columns_to_that_assignment(course, student, code_question, quiz_question):
    now = timezone.now()
    f.quiz_answer(user=student, question=quiz_question, at=now - timedelta(minutes=2), correct=False)
    board = live_board(course=course, now=now, minutes=30, assignment=code_question.assignment)
    assert board.students == []  # active, but not on this assignment
    assert [q.pk for q in board.questions] == [code_question.pk]  # every question of it, touched or not
