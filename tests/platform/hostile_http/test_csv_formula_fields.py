"""Formula injection through a spreadsheet that splits the gradebook export on another separator:
a student's name "x;=1+1" is one harmless cell to a comma reader, but "x" and "=1+1" to a
spreadsheet splitting on ";" (or tab). Every field any of those separators can produce, in both
exports, must not start a formula; the names still read back in the comma-separated file."""

from __future__ import annotations

import csv
import io

import pytest
from courses.models import Enrollment
from django.urls import reverse
from submissions.services.quiz import quiz_answer_create

from tests.platform.conftest import make_user
from tests.platform.hostile_http.helpers import client_for

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NAMES = ["x;=1+1", "x,=1+1", "x\t=1+1", "x; +SUM(A1)", 'x;"=1+1"', "ok;-2+3", "a\n@cmd", "tab\t\t=1",
         "=cmd|' /C calc'!A0", "김;=HYPERLINK(\"http://evil.example\")"]
SEPARATORS = [",", ";", "\t"]
EXPORTS = ["gradebook:csv", "gradebook:csv_questions"]


@pytest.fixture
def attackers(course, quiz_question):  # type: ignore[no-untyped-def]
    for index, name in enumerate(NAMES):
        user = make_user(f"attacker{index}")
        user.first_name = name  # an LMS profile or a roster carries whatever the student typed
        user.save()
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        quiz_answer_create(user=user, question=quiz_question, data={"choice": ["right"]})


def spreadsheet_fields(text: str, separator: str) -> list[str]:
    """What a careless import sees: lines broken at any line break, split on ``separator`` with no
    regard for quotes, leading spaces and quotes dropped."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [field.lstrip(' "') for line in lines for field in line.split(separator)]


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("separator", SEPARATORS, ids=["comma", "semicolon", "tab"])
def test_no_field_starts_a_formula_whatever_the_separator(course, instructor, attackers, export, separator):
    text = client_for(instructor).get(reverse(export, args=[course.pk])).content.decode("utf-8")
    dangerous = [field for field in spreadsheet_fields(text, separator) if field.startswith(FORMULA_STARTS)]
    assert not dangerous, dangerous


@pytest.mark.parametrize("export", EXPORTS)
def test_the_names_still_read_back_with_only_apostrophes_added(course, instructor, attackers, export):
    text = client_for(instructor).get(reverse(export, args=[course.pk])).content.decode("utf-8").lstrip("\ufeff")
    names = {row[0]: row[1] for row in csv.reader(io.StringIO(text)) if row and row[0].startswith("attacker")}
    for index, name in enumerate(NAMES):
        written = names[f"attacker{index}"]
        assert written.replace("'", "") == name.replace("'", "")
        assert written != name  # every one of them needed the guard


def test_plain_names_and_scores_are_untouched(course, instructor, student, quiz_question):
    student.first_name, student.last_name = "Kim", "Lee-Park"
    student.save()
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["right"]})
    text = client_for(instructor).get(reverse("gradebook:csv", args=[course.pk])).content.decode()
    row = next(row for row in csv.reader(io.StringIO(text)) if row[0] == "owner")
    assert row[1] == "Kim Lee-Park" and "'" not in "".join(row)
