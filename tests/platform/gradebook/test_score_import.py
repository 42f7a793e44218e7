"""Importing manual scores: the preview lists each line's change or error, applying writes the
valid changed lines with source IMPORT, and the file's encoding and header are handled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from gradebook.imports import (
    ImportRefused,
    csv_bytes_decode,
    score_import_apply,
    score_import_preview,
)
from grading.models import ManualGrade
from grading.services import manual_grade_save
from scoring.models import ScoreChange
from submissions.models import QuizAnswer
from submissions.services.quiz import quiz_answer_create

from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import answer

CSV = """username,question,score,comment
owner,essay/explain,2.5,"좋아요, 근거가 분명해요"
fellow,essay/explain,1,
nobody,essay/explain,1,
owner,essay/nope,1,
owner,essay/second,abc,
owner,essay/second,9,
owner,essay/pick,1,
fellow,essay/second,1,
owner,essay/explain,3,
"""


@pytest.fixture
def answered(student, fellow, explain, second, pick):  # type: ignore[no-untyped-def]
    answer(student, explain)
    answer(fellow, explain)
    answer(student, second)
    quiz_answer_create(user=student, question=pick, data={"choice": ["right"]})


def test_the_preview_lists_changes_and_an_error_per_bad_line(course, answered):
    preview = score_import_preview(course=course, csv_text=CSV)
    by_line = {line.line: line for line in preview.lines}
    assert [line.line for line in preview.changes] == [2, 3]
    assert by_line[2].old_score is None and by_line[2].new_score == 2.5
    assert "nobody" in by_line[4].error
    assert "essay/nope" in by_line[5].error
    assert "not a number" in by_line[6].error
    assert "between 0 and 2" in by_line[7].error
    assert "automatically" in by_line[8].error
    assert "not answered" in by_line[9].error
    assert "earlier line" in by_line[10].error
    assert not QuizAnswer.objects.filter(score__isnull=False, needs_manual=True).exists()  # preview writes nothing


def test_apply_writes_valid_lines_with_an_import_audit(course, instructor, student, answered, explain):
    applied = score_import_apply(course=course, csv_text=CSV, actor=instructor)
    assert len(applied.changes) == 2
    owner = QuizAnswer.objects.get(user=student, question=explain)
    assert owner.score == 2.5 and owner.feedback == "좋아요, 근거가 분명해요"
    change = ScoreChange.objects.get(quiz_answer=owner)
    assert change.source == ScoreChange.Source.IMPORT and change.actor == instructor and change.new_score == 2.5
    assert ManualGrade.objects.get(quiz_answer=owner).source == ManualGrade.Source.IMPORT
    assert ScoreChange.objects.filter(source=ScoreChange.Source.IMPORT).count() == 2


def test_applying_twice_changes_nothing_the_second_time(course, instructor, answered):
    score_import_apply(course=course, csv_text=CSV, actor=instructor)
    again = score_import_preview(course=course, csv_text=CSV)
    assert again.changes == [] and sum(1 for line in again.lines if line.unchanged) == 2
    score_import_apply(course=course, csv_text=CSV, actor=instructor)
    assert ScoreChange.objects.filter(source=ScoreChange.Source.IMPORT).count() == 2


def test_a_regrade_by_import_keeps_the_comment_when_the_cell_is_empty(course, instructor, ta, student, explain):
    given = answer(student, explain)
    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0], comment="첫 코멘트")
    score_import_apply(course=course, csv_text="owner,essay/explain,2,\n", actor=instructor)
    given.refresh_from_db()
    assert given.score == 2.0 and given.feedback == "첫 코멘트"
    change = ScoreChange.objects.filter(quiz_answer=given).order_by("-id").first()
    assert (change.old_score, change.new_score) == (1.0, 2.0)


def test_the_late_penalty_applies_to_imported_points(course, instructor, student, explain):
    given = answer(student, explain)
    explain.assignment.due_at = given.created_at - timedelta(hours=1)
    explain.assignment.save()
    preview = score_import_preview(course=course, csv_text="owner,essay/explain,2,\n")
    assert preview.changes[0].new_score == 1.5


def test_headers_may_reorder_columns(course, student, explain):
    answer(student, explain)
    preview = score_import_preview(course=course, csv_text="\ufeffScore,Slug,Username\n1,essay/explain,owner\n")
    assert preview.changes[0].raw_score == 1.0 and preview.changes[0].line == 2


def test_a_header_without_required_columns_is_refused(course):
    with pytest.raises(ImportRefused):
        score_import_preview(course=course, csv_text="username,comment\nowner,hi\n")


def test_files_in_cp949_are_read():
    assert csv_bytes_decode("owner,essay/explain,1,좋아요\n".encode("cp949")).endswith("좋아요\n")
    assert csv_bytes_decode("\ufeffa,b".encode()) == "a,b"
    with pytest.raises(ImportRefused):
        csv_bytes_decode(b"x" * 1_000_001)
