"""The grade table as CSV (for the registrar's spreadsheet): the per-assignment summary and the
full per-question matrix."""

from __future__ import annotations

import csv
import io
import re

from gradebook.matrix import Matrix
from gradebook.selectors import GradeTable

# A spreadsheet runs a field starting with one of these as a formula. Which fields it sees depends
# on the separator it guesses or is told (",", ";", tab; a naive import also breaks lines), so a
# cell is checked at its start and after every one of those: "x;=1+1" is one cell to us and
# "x", "=1+1" to a spreadsheet splitting on ";". Spaces and quotes it may strip are looked through.
_FORMULA_FIELD = re.compile(r"(^|[,;\t\r\n])(?=[ \"]*[=+\-@\t\r])")


def _cell(value: object) -> str:
    """Text for a CSV cell that no spreadsheet turns into a formula: a "'" (shown as text, not
    as a character, by spreadsheets) goes in front of every field that would start one."""
    return _FORMULA_FIELD.sub(lambda match: match.group(1) + "'", str(value))


def gradebook_csv(*, table: GradeTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "name", *(_cell(a.slug) for a, _points in table.assignments), "total"])
    for row in table.rows:
        user = row.enrollment.user
        writer.writerow([_cell(user.username), _cell(user.get_full_name()), *row.by_assignment, row.total])
    return out.getvalue()


PENDING = "pending"


def gradebook_matrix_csv(*, matrix: Matrix) -> str:
    """One column per question ("assignment/question"), then each assignment's sum and the total.
    The second line gives the maximum points. Starts with a BOM: Excel otherwise reads UTF-8 as
    the local code page and garbles Korean names."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    sums = [f"{assignment.slug} (sum)" for assignment, _points, _count in matrix.assignments]
    writer.writerow(["username", "name", *(_cell(c.key) for c in matrix.columns), *map(_cell, sums), "total"])
    writer.writerow([
        "", "(max)", *(f"{c.question.points:g}" for c in matrix.columns),
        *(f"{points:g}" for _a, points, _count in matrix.assignments), f"{matrix.max_total:g}",
    ])
    for row in matrix.rows:
        user = row.enrollment.user
        # A pending re-answer keeps the earlier best score (it counts in the sums), so "pending"
        # is written only where there is no score at all.
        cells = [
            f"{cell.score:g}" if cell.score is not None else (PENDING if cell.pending else "")
            for cell in row.cells
        ]
        writer.writerow([
            _cell(user.username), _cell(user.get_full_name()), *cells,
            *(f"{value:g}" for value in row.by_assignment), f"{row.total:g}",
        ])
    return out.getvalue()
