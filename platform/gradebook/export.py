"""The grade table as CSV (for the registrar's spreadsheet): the per-assignment summary and the
full per-question matrix."""

from __future__ import annotations

import csv
import io

from gradebook.matrix import Matrix
from gradebook.selectors import GradeTable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = str(value)
    # Spreadsheets run cells starting with these as formulas: never let a name do that.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
