"""Importing manual scores from a spreadsheet: ``username, question (assignment/question), score,
comment``. A preview lists every line's change or error; applying re-reads the same text and
writes the valid changed lines in one transaction, audited with source IMPORT.

The score is the points before the late penalty, like the grading page's total: the student's
late answer loses the same share whichever way it was graded."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from assessments.models import Question
from core.errors import UserError
from courses.models import Course
from courses.selectors import course_student_enrollments
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from grading.selectors import question_is_manual
from grading.services import GradingRefused, manual_grade_import
from scoring.policy import policy_for
from submissions.models import QuizAnswer

MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_LINES = 5000
COLUMNS = ("username", "question", "score", "comment")


class ImportRefused(UserError):
    """A score import that cannot be done as sent (the message names the line or the problem)."""


@dataclass
class ImportLine:
    line: int
    username: str
    question_key: str
    score_text: str
    comment: str
    error: str = ""
    answer_id: int | None = None
    old_score: float | None = None
    raw_score: float | None = None
    new_score: float | None = None  # after the late penalty: what the gradebook will show
    unchanged: bool = False


@dataclass
class ImportPreview:
    lines: list[ImportLine] = field(default_factory=list)

    @property
    def changes(self) -> list[ImportLine]:
        return [line for line in self.lines if not line.error and not line.unchanged]

    @property
    def errors(self) -> list[ImportLine]:
        return [line for line in self.lines if line.error]


def csv_bytes_decode(raw: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else CP949: Korean Excel's "CSV" is CP949."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportRefused(_("The file is larger than 1 MB."))
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(_("The file is neither UTF-8 nor CP949 text."))


def _rows(csv_text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    rows = [(reader.line_num, row) for row in reader]
    rows = [(number, row) for number, row in rows if any(cell.strip() for cell in row)]
    if len(rows) > MAX_IMPORT_LINES + 1:
        raise ImportRefused(_("Import at most %(count)d lines at a time.") % {"count": MAX_IMPORT_LINES})
    order = list(COLUMNS)
    if rows and "username" in [cell.strip().lower() for cell in rows[0][1]]:
        # A header row may put the columns in any order (and may call "question" "slug").
        header = [cell.strip().lower().replace("slug", "question") for cell in rows[0][1]]
        missing = [name for name in COLUMNS[:3] if name not in header]
        if missing:
            raise ImportRefused(_("The header lacks the column(s): %(names)s.") % {"names": ", ".join(missing)})
        order = header
        rows = rows[1:]
    result = []
    for number, row in rows:
        values = {name: (row[index].strip() if index < len(row) else "") for index, name in enumerate(order)}
        result.append((number, values))
    return result


def _parse_score(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None  # no NaN, no inf


def _check_line(line: ImportLine, *, course: Course, students: dict[str, int], questions: dict[str, Question],
                seen: set[tuple[int, int]]) -> None:
    user_id = students.get(line.username)
    if user_id is None:
        line.error = _("No student %(name)s in this course.") % {"name": line.username or "''"}
        return
    question = questions.get(line.question_key)
    if question is None:
        line.error = _("No question %(key)s (write assignment/question).") % {"key": line.question_key or "''"}
        return
    if (user_id, question.pk) in seen:
        line.error = _("This student and question appear on an earlier line already.")
        return
    score = _parse_score(line.score_text)
    if score is None:
        line.error = _("The score %(text)s is not a number.") % {"text": line.score_text or "''"}
        return
    if not 0 <= score <= question.points:
        line.error = _("The score must be between 0 and %(points)s.") % {"points": f"{question.points:g}"}
        return
    answer = QuizAnswer.objects.filter(question=question, user_id=user_id).order_by("-created_at", "-id").first()
    if answer is None:
        line.error = _("The student has not answered this question.")
        return
    if not (answer.needs_manual or question_is_manual(question)):
        line.error = _("This question is graded automatically.")
        return
    seen.add((user_id, question.pk))  # only valid lines claim the pair: a fixed line may follow
    line.answer_id = answer.pk
    line.old_score = answer.score
    line.raw_score = score
    # What manual_grade_import will store: the points with the student's own late credit.
    policy = policy_for(user_id=user_id, assignment=question.assignment)
    line.new_score = policy.score_from_points(score, answer.created_at)
    line.unchanged = line.new_score == line.old_score and (not line.comment or line.comment == answer.feedback)


def score_import_preview(*, course: Course, csv_text: str) -> ImportPreview:
    students = dict(course_student_enrollments(course=course).values_list("user__username", "user_id"))
    questions = {
        f"{q.assignment.slug}/{q.slug}": q
        for q in Question.objects.filter(assignment__course=course).exclude(kind="code").select_related("assignment", "current_version")
    }
    preview = ImportPreview()
    seen: set[tuple[int, int]] = set()
    for number, values in _rows(csv_text):
        line = ImportLine(line=number, username=values.get("username", ""), question_key=values.get("question", ""),
                          score_text=values.get("score", ""), comment=values.get("comment", ""))
        _check_line(line, course=course, students=students, questions=questions, seen=seen)
        preview.lines.append(line)
    return preview


def score_import_apply(*, course: Course, csv_text: str, actor: AbstractBaseUser) -> ImportPreview:
    """Write every valid changed line (all or none). Returns the preview that was applied."""
    preview = score_import_preview(course=course, csv_text=csv_text)
    with transaction.atomic():
        for line in preview.changes:
            try:
                manual_grade_import(answer_id=_required(line.answer_id), actor=actor,
                                    raw_score=_required(line.raw_score), comment=line.comment or _kept_comment(line))
            except GradingRefused as refused:
                raise ImportRefused(f"line {line.line}: {refused.message}") from None
    return preview


def _kept_comment(line: ImportLine) -> str:
    """An empty comment keeps the comment already given (not the "awaiting grading" placeholder)."""
    answer = QuizAnswer.objects.get(pk=line.answer_id)
    return answer.feedback if answer.score is not None else ""


def _required(value: Any) -> Any:
    assert value is not None  # a line without an error always has these
    return value
