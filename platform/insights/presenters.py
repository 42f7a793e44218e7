"""Turns dashboard data into what the templates and the JSON endpoint show: charts (SVG) and
plain dictionaries. No queries here."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from insights import charts
from insights.live import LiveBoard
from insights.selectors import QuestionDashboard, QuestionSummary


def question_dashboard_charts(dashboard: QuestionDashboard) -> dict[str, SafeString]:
    points = dashboard.question.points
    score_bars = [(b.label, b.count) for b in dashboard.score_bins]
    return {
        "scores": charts.bar_chart_svg(
            bars=score_bars, emphasize_last=True,
            title=_("Best score per student (out of %(points)g points)") % {"points": points},
            x_label=_("score"), y_label=_("students"),
        ),
        "attempts": charts.bar_chart_svg(
            bars=dashboard.attempts_to_full, width=420, height=200,
            title=_("Attempts until full marks"), x_label=_("attempts"), y_label=_("students"),
        ),
        "pass_time": charts.bar_chart_svg(
            bars=dashboard.pass_time_buckets, width=420, height=200,
            title=_("Time from starting to full marks"), x_label=_("time"), y_label=_("students"),
        ),
    }


def failure_meters(dashboard: QuestionDashboard) -> list[tuple[Any, SafeString]]:
    return [
        (row, charts.meter_svg(fraction=row.rate, color=charts.FAIL,
                               title=_("%(percent)d%% fail %(check)s") % {"percent": row.percent, "check": row.name}))
        for row in dashboard.check_failures
    ]


def overview_rows(summaries: list[QuestionSummary]) -> list[dict[str, Any]]:
    rows = []
    for summary in summaries:
        title = summary.question.display_title
        mean = summary.mean_fraction
        rows.append({
            "summary": summary,
            "meter": charts.meter_svg(
                fraction=mean,
                title=_("Mean best score of %(question)s: %(percent)s") % {
                    "question": title, "percent": "—" if mean is None else f"{mean * 100:.0f}%"},
            ),
            "spark": charts.spark_bars_svg(counts=summary.bins,
                                           title=_("Distribution of best scores: %(question)s") % {"question": title}),
        })
    return rows


def live_board_json(board: LiveBoard, *, request: Any) -> dict[str, Any]:
    """The live view's JSON: the table as HTML (rendered by the same template as the page, so
    polling needs no second renderer in JavaScript) plus the same facts as data."""
    return {
        "generated_at": board.now.isoformat(),
        "minutes": board.minutes,
        "active": len(board.students),
        "enrolled": board.enrolled,
        "struggling": board.struggling,
        "students": [
            {
                "username": row.username,
                "name": row.name,
                "last_active": row.last_active.isoformat(),
                "question": row.current_question.pk if row.current_question else None,
                "struggling": [{"question": question.pk, "reason": reason} for question, reason in row.reasons],
                "questions": {
                    str(question_id): {"status": cell.status, "score": cell.score, "best": cell.best,
                                       "tries": cell.tries, "full_marks": cell.full_marks}
                    for question_id, cell in row.cells.items() if cell.tries or cell.draft_at
                },
            }
            for row in board.students
        ],
        "html": render_to_string("insights/_live_board.html", {"board": board}, request=request),
    }
