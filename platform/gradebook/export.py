"""The grade table as CSV (for the registrar's spreadsheet)."""

from __future__ import annotations

import csv
import io

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
