"""The gradebook matrix and its CSV: best score per question after late penalty, pending manual
answers, filters, sums and totals; the export's columns, BOM and formula guard."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from gradebook.export import gradebook_matrix_csv
from gradebook.matrix import MatrixFilters, gradebook_matrix
from grading.services import manual_grade_save
from submissions.services.quiz import quiz_answer_create

from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import answer


@pytest.fixture
def scored(student, fellow, ta, explain, second, pick, quiz_question):  # type: ignore[no-untyped-def]
    """owner: explain graded 2, second pending, pick right (1), quiz wrong then right (2).
    fellow: explain pending, nothing else."""
    graded = answer(student, explain)
    manual_grade_save(answer_id=graded.pk, grader=ta, checked=[0, 1])
    answer(student, second)
    quiz_answer_create(user=student, question=pick, data={"choice": ["right"]})
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["wrong"]})
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["right"]})
    answer(fellow, explain)


def cells(matrix, username: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    row = next(r for r in matrix.rows if r.enrollment.user.username == username)
    return {column.key: (cell.score, cell.pending) for column, cell in zip(matrix.columns, row.cells, strict=True)}


def test_cells_hold_best_scores_and_pending_answers(course, scored):
    matrix = gradebook_matrix(course=course)
    assert [c.key for c in matrix.columns] == ["essay/explain", "essay/second", "essay/pick", "quiz/pick-one"]
    assert cells(matrix, "owner") == {
        "essay/explain": (2.0, False), "essay/second": (None, True), "essay/pick": (1.0, False),
        "quiz/pick-one": (2.0, False),
    }
    assert cells(matrix, "fellow")["essay/explain"] == (None, True)
    owner = next(r for r in matrix.rows if r.enrollment.user.username == "owner")
    assert owner.by_assignment == [3.0, 2.0] and owner.total == 5.0 and owner.pending == 1
    assert matrix.max_total == 3 + 2 + 1 + 2


def test_an_older_graded_answer_keeps_its_score_while_a_new_one_waits(course, student, ta, explain):
    graded = answer(student, explain, "첫 답")
    manual_grade_save(answer_id=graded.pk, grader=ta, checked=[0])
    answer(student, explain, "둘째 답")
    assert cells(gradebook_matrix(course=course), "owner")["essay/explain"] == (1.0, True)


def test_scores_are_after_the_late_penalty(course, student, ta, explain):
    given = answer(student, explain)
    explain.assignment.due_at = given.created_at - timedelta(hours=1)  # one day late: 0.75
    explain.assignment.save()
    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0, 1])
    assert cells(gradebook_matrix(course=course), "owner")["essay/explain"] == (1.5, False)


def test_filters_narrow_columns_and_rows(course, scored, essay):
    by_assignment = gradebook_matrix(course=course, filters=MatrixFilters(assignment_id=essay.pk))
    assert [c.key for c in by_assignment.columns] == ["essay/explain", "essay/second", "essay/pick"]
    assert by_assignment.max_total == 6
    searched = gradebook_matrix(course=course, filters=MatrixFilters(search="FELL"))
    assert [r.enrollment.user.username for r in searched.rows] == ["fellow"]


def test_only_incomplete_keeps_students_with_a_missing_or_pending_cell(course, student, fellow, ta, explain, second, pick):
    for question, checked in ((explain, [0]), (second, [0])):
        manual_grade_save(answer_id=answer(student, question).pk, grader=ta, checked=checked)
    quiz_answer_create(user=student, question=pick, data={"choice": ["wrong"]})  # 0 is complete
    matrix = gradebook_matrix(course=course, filters=MatrixFilters(only_incomplete=True))
    assert [r.enrollment.user.username for r in matrix.rows] == ["fellow"]


def test_the_csv_has_a_bom_one_column_per_question_and_totals(course, scored, student):
    student.first_name = "=김철수"
    student.save()
    text = gradebook_matrix_csv(matrix=gradebook_matrix(course=course))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["username", "name", "essay/explain", "essay/second", "essay/pick", "quiz/pick-one",
                       "essay (sum)", "quiz (sum)", "total"]
    assert rows[1] == ["", "(max)", "3", "2", "1", "2", "6", "2", "8"]
    assert rows[2] == ["fellow", "", "pending", "", "", "", "0", "0", "0"]
    assert rows[3] == ["owner", "'=김철수", "2", "pending", "1", "2", "3", "2", "5"]


def test_the_matrix_keeps_the_per_attempt_rules_on_a_varied_term(
    course, student, fellow, ta, code_question, quiz_question, explain, second, pick
):
    """The matrix reads aggregates (``best_scores_and_waiting``): every cell, sum, waiting count and
    "has tried" must be what ``best_of`` / ``latest_of`` over every attempt give."""
    from tests.platform.test_attempts_best_and_waiting import reference, varied_attempts

    varied_attempts(course=course, student=student, fellow=fellow, ta=ta, code_question=code_question,
                    quiz_question=quiz_question, explain=explain, second=second, pick=pick, extra_students=10)
    matrix = gradebook_matrix(course=course)
    overview = gradebook_matrix(course=course, cells=False)
    ids = [column.question.pk for column in matrix.columns]
    best, waiting, tried = reference(question_ids=ids)
    assert len(matrix.rows) == 12 and waiting and best
    for row, light in zip(matrix.rows, overview.rows, strict=True):
        user_id = row.enrollment.user_id
        assert [(cell.score, cell.pending, cell.attempted) for cell in row.cells] == [
            (best.get((user_id, q)), (user_id, q) in waiting, (user_id, q) in tried) for q in ids
        ], row.enrollment.user.username
        expected = [
            sum(best.get((user_id, c.question.pk), 0.0) for c in matrix.columns if c.assignment.pk == a.pk)
            for a, _points, _count in matrix.assignments
        ]
        assert row.by_assignment == pytest.approx([round(value, 2) for value in expected], abs=1e-9)
        assert row.pending_by_assignment == [
            sum(1 for c in matrix.columns if c.assignment.pk == a.pk and (user_id, c.question.pk) in waiting)
            for a, _points, _count in matrix.assignments
        ]
        assert row.complete_count == sum(1 for cell in row.cells if cell.complete)
        assert (light.enrollment, light.by_assignment, light.pending_by_assignment, light.total,
                light.complete_count) == (row.enrollment, row.by_assignment, row.pending_by_assignment, row.total,
                                          row.complete_count)
