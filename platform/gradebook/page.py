"""What the gradebook page shows of a ``Matrix``: the overview (the course total, then one column per
assignment: points and percent) or one assignment's questions (the drill-down, ``?assignment=<id>``),
sorted server-side by any column (``?sort=<key>&dir=asc|desc``).

Column keys: ``name`` (the default, ascending), ``total``, ``a<assignment id>`` and, in the
drill-down, ``q<question id>``. An unknown key falls back to the default; an unknown direction to
the key's own default (ascending for the name, descending for scores). The header links keep the
page's filters (``q``, ``incomplete``, ``assignment``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assessments.models import Assignment
from courses.models import Course
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from scoring.tokens import balance_of, token_balances, token_rules

from gradebook.matrix import Cell, Matrix, MatrixRow

DEFAULT_SORT = "name"
ASC, DESC = "asc", "desc"
_ARIA = {ASC: "ascending", DESC: "descending"}


def percent(points: float, max_points: float) -> float | None:
    return round(points / max_points * 100, 1) if max_points else None


@dataclass
class Header:
    key: str
    label: str
    max_points: float | None
    sort_url: str = ""
    aria_sort: str = ""  # "ascending" / "descending" on the sorted column only
    drill_url: str = ""  # overview: the link into the assignment's questions
    title: str = ""  # the question's key, as a tooltip


@dataclass
class Score:
    points: float
    percent: float | None
    pending: int = 0  # answers waiting for manual grading


@dataclass
class PageRow:
    row: MatrixRow
    name: str
    total: Score
    scores: list[Score] = field(default_factory=list)  # overview: per assignment; drill-down: the sum
    cells: list[Cell] = field(default_factory=list)  # drill-down: per question
    late_days: Any = None  # the student's scoring.tokens.TokenBalance when the course uses late days
    total_html: SafeString = SafeString("")  # the total's <td> (``_CellMarkup``)
    cells_html: SafeString = SafeString("")  # the score <td>s after it: per assignment, or per question

    @property
    def enrollment(self) -> Any:
        return self.row.enrollment

    @property
    def username(self) -> str:
        return self.row.enrollment.user.username

    @property
    def url(self) -> str:
        """The student's record (every attempt)."""
        enrollment = self.row.enrollment
        return reverse("gradebook:student", args=[enrollment.course_id, enrollment.user_id])


@dataclass
class GradebookPage:
    assignment: Assignment | None  # None: the overview
    headers: list[Header]  # after the student column, in table order
    rows: list[PageRow]
    sort: str
    direction: str
    name_header: Header
    back_url: str = ""  # drill-down: the overview with the same filters

    @property
    def width(self) -> int:
        return len(self.headers) + 1


def _url(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


class _CellMarkup:
    """The score cells of the table, as gradebook.html shows them: thousands per page (300 students
    x the questions of an assignment) but few distinct ones, so each distinct cell is written once
    per page and reused; a template loop with filters per cell was most of the page's time.

    Numbers go through the template's own ``floatformat`` (the same localized text); the only
    words, the "pending" badge, are translated in the request's language and escaped once."""

    def __init__(self) -> None:
        self.badge = f' <span class="badge">{escape(gettext("pending"))}</span>'
        self._numbers: dict[tuple[float, str], str] = {}
        self._cells: dict[tuple[Any, ...], str] = {}

    def number(self, value: float, digits: str) -> str:
        key = (value, digits)
        text = self._numbers.get(key)
        if text is None:
            text = self._numbers[key] = str(floatformat(value, digits))  # digits and separators only
        return text

    def _points(self, score: Score) -> str:
        text = self.number(score.points, "-2")
        if score.percent is not None:
            text += f' <small class="pct">{self.number(score.percent, "0")}%</small>'
        return text

    def total(self, score: Score) -> str:
        key = ("total", score.points, score.percent)
        html = self._cells.get(key)
        if html is None:
            html = self._cells[key] = f'<td class="num total">{self._points(score)}</td>'
        return html

    def sum(self, score: Score) -> str:
        """An assignment's points and percent (the overview), with a badge when answers wait."""
        key = ("sum", score.points, score.percent, bool(score.pending))
        html = self._cells.get(key)
        if html is None:
            pending = " pending" if score.pending else ""
            badge = self.badge if score.pending else ""
            html = self._cells[key] = f'<td class="num sum{pending}">{self._points(score)}{badge}</td>'
        return html

    def cell(self, cell: Cell) -> str:
        """A question's best score (the drill-down); "—" when never tried; greyed when not given."""
        key = (cell.score, cell.pending, cell.given, cell.attempted)
        html = self._cells.get(key)
        if html is None:
            css = "num cell" + (" pending" if cell.pending else "") + ("" if cell.given else " not-given")
            if cell.score is not None:
                text = self.number(cell.score, "-2")
            else:
                text = "" if cell.attempted else "—"
            badge = self.badge if cell.pending else ""
            html = self._cells[key] = f'<td class="{css}">{text}{badge}</td>'
        return html


def _display_name(row: MatrixRow) -> str:
    user = row.enrollment.user
    return user.get_full_name() or user.username


def gradebook_page(*, matrix: Matrix, params: QueryDict, drilled: bool, labels: dict[str, str]) -> GradebookPage:
    """``params``: the request's query (filters, ``sort``, ``dir``). ``labels``: the translated
    ``name``, ``total`` and ``sum`` column titles (the sum is the drill-down's total)."""
    requested_sort, requested_direction = params.get("sort", ""), params.get("dir", "")
    params = params.copy()
    for name in ("sort", "dir", "page"):
        params.pop(name, None)
    assignment = matrix.assignments[0][0] if drilled and matrix.assignments else None
    rows = [PageRow(row=row, name=_display_name(row), total=Score(row.total, percent(row.total, matrix.max_total)))
            for row in matrix.rows]
    markup = _CellMarkup()
    for page_row in rows:
        page_row.total_html = mark_safe(markup.total(page_row.total))  # noqa: S308 - _CellMarkup escapes
    sort_values: dict[str, Callable[[PageRow], Any]] = {
        "name": lambda r: (r.name.casefold(), r.enrollment.user.username),
        "total": lambda r: r.row.total,
    }
    headers: list[Header] = []
    if assignment is None:
        headers.append(Header(key="total", label=labels["total"], max_points=matrix.max_total))
        for index, (each, points, _count) in enumerate(matrix.assignments):
            key = f"a{each.pk}"
            headers.append(Header(key=key, label=each.display_title, max_points=points,
                                  drill_url=_url(params, assignment=str(each.pk))))
            sort_values[key] = lambda r, i=index: r.row.by_assignment[i]
        for page_row in rows:
            page_row.scores = [
                Score(value, percent(value, points), waiting)
                for value, waiting, (_a, points, _c) in zip(
                    page_row.row.by_assignment, page_row.row.pending_by_assignment, matrix.assignments, strict=True)
            ]
            page_row.cells_html = mark_safe("".join(markup.sum(score) for score in page_row.scores))  # noqa: S308 - _CellMarkup escapes
    else:
        # One assignment: its sum is the row's total.
        headers.append(Header(key="total", label=labels["sum"], max_points=matrix.max_total))
        for index, column in enumerate(matrix.columns):
            key = f"q{column.question.pk}"
            headers.append(Header(key=key, label=column.question.display_title, max_points=column.question.points,
                                  title=column.key))
            sort_values[key] = lambda r, i=index: -1.0 if r.row.cells[i].score is None else r.row.cells[i].score
        for page_row in rows:
            page_row.cells = page_row.row.cells
            page_row.cells_html = mark_safe("".join(markup.cell(cell) for cell in page_row.cells))  # noqa: S308 - _CellMarkup escapes
    if requested_sort in sort_values:
        sort = requested_sort
        direction = requested_direction if requested_direction in (ASC, DESC) else (ASC if sort == "name" else DESC)
    else:  # an unknown key: the default order, whatever the direction asked
        sort, direction = DEFAULT_SORT, ASC
    rows.sort(key=sort_values["name"])  # ties keep the name order
    if sort != "name" or direction == DESC:
        rows.sort(key=sort_values[sort], reverse=direction == DESC)
    name_header = Header(key="name", label=labels["name"], max_points=None)
    for header in [name_header, *headers]:
        if header.key == sort:
            header.aria_sort = _ARIA[direction]
            next_direction = DESC if direction == ASC else ASC
        else:
            next_direction = ASC if header.key == "name" else DESC
        header.sort_url = _url(params, sort=header.key, dir=next_direction)
    back_url = _url(params, assignment=None) if assignment is not None else ""
    return GradebookPage(assignment=assignment, headers=headers, rows=rows, sort=sort, direction=direction,
                         name_header=name_header, back_url=back_url)


def late_days_attach(*, page: GradebookPage, course: Course) -> None:
    """Each row's late days (used / left) when the course uses them: three queries, whatever the
    number of students (scoring.tokens)."""
    rules = token_rules(course=course)
    if not rules.enabled:
        return
    balances = token_balances(course=course, rules=rules)
    for row in page.rows:
        row.late_days = balance_of(balances, row.enrollment.user_id, rules)
