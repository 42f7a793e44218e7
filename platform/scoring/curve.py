"""The late-credit curve: what fraction of its score a submission keeps, by how late it was.

Pure math (no Django), so the Assignment model, the settings form and the tests share one rule.

A curve is a list of points ``(hours late, credit fraction)``, hours strictly increasing, credit
in [0, 1] and never increasing (a later submission never earns more):

- ``step``: a submission more than ``hours`` late keeps ``credit``, until the next point.
  ``[(0, 0.9), (24, 0.8)]`` means "up to a day late: 90 %, later: 80 %".
- ``linear``: credit falls in a straight line between the points, starting from full credit at
  the due date; ``[(48, 0.5), (96, 0)]`` loses half over two days, the rest over the next two.

Past the last point the last credit stays (add ``(hours, 0)`` for "nothing after that"). On time
(0 hours late or less) is always full credit. An empty curve means the assignment's old rule,
``late_penalty_per_day`` per started day, which ``daily_penalty_credit`` keeps exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from core.errors import UserError

STEP = "step"
LINEAR = "linear"
MODES = (STEP, LINEAR)
MAX_POINTS = 50

Point = tuple[float, float]


class CurveError(UserError, ValueError):
    """A curve an instructor has to fix (the message names the problem)."""


def curve_parse(raw: object) -> list[Point]:
    """Validate stored/posted points (``[[hours, credit], ...]``) and return them as tuples."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, (list, tuple)):
        raise CurveError("the curve must be a list of [hours late, credit] points")
    if len(raw) > MAX_POINTS:
        raise CurveError(f"at most {MAX_POINTS} points")
    points: list[Point] = []
    for item in raw:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise CurveError("each point is a pair [hours late, credit]")
        try:
            hours, credit = float(item[0]), float(item[1])
        except (TypeError, ValueError):
            raise CurveError("hours and credit must be numbers") from None
        if not (math.isfinite(hours) and math.isfinite(credit)):
            raise CurveError("hours and credit must be finite numbers")
        if hours < 0:
            raise CurveError("hours late cannot be negative")
        if not 0.0 <= credit <= 1.0:
            raise CurveError("credit must be between 0 and 1")
        if points and hours <= points[-1][0]:
            raise CurveError("hours must strictly increase from point to point")
        if points and credit > points[-1][1]:
            raise CurveError("credit may not increase with lateness")
        points.append((hours, credit))
    return points


def curve_from_text(text: str) -> list[Point]:
    """The settings form's notation: one point per line (or ``;``-separated), ``hours: credit``;
    credit as a fraction (0.8) or a percentage (80%)."""
    raw: list[list[float]] = []
    for chunk in text.replace(";", "\n").splitlines():
        chunk = chunk.strip()
        if not chunk:
            continue
        hours_text, sep, credit_text = chunk.partition(":")
        if not sep:
            hours_text, sep, credit_text = chunk.partition("=")
        if not sep:
            raise CurveError(f"{chunk!r}: write a point as 'hours: credit', e.g. '24: 0.8'")
        credit_text = credit_text.strip()
        percent = credit_text.endswith("%")
        try:
            hours = float(hours_text.strip().removesuffix("h"))
            credit = float(credit_text.removesuffix("%"))
        except ValueError:
            raise CurveError(f"{chunk!r}: hours and credit must be numbers") from None
        raw.append([hours, credit / 100 if percent else credit])
    return curve_parse(raw)


def curve_to_text(points: Iterable[Sequence[float]]) -> str:
    return "\n".join(f"{_number(hours)}: {_number(credit)}" for hours, credit in points)


def _number(value: float) -> str:
    return f"{value:g}"


def daily_penalty_credit(hours_late: float, penalty_per_day: float) -> float:
    """The pre-curve rule: ``penalty_per_day`` off for every started day late."""
    if hours_late <= 0 or penalty_per_day <= 0:
        return 1.0
    days = math.ceil(hours_late / 24)
    return max(0.0, 1.0 - penalty_per_day * days)


def curve_credit(points: Sequence[Point], mode: str, hours_late: float) -> float:
    """Credit fraction for a submission ``hours_late`` hours after its due date."""
    if hours_late <= 0 or not points:
        return 1.0
    if mode == LINEAR:
        previous: Point = (0.0, 1.0)
        for hours, credit in points:
            if hours_late <= hours:
                if hours == previous[0]:  # a point at 0 hours: the jump happens at the due date
                    return credit
                slope = (hours_late - previous[0]) / (hours - previous[0])
                return _clamp(previous[1] + slope * (credit - previous[1]))
            previous = (hours, credit)
        return _clamp(points[-1][1])
    credit_now = 1.0
    for hours, credit in points:
        if hours_late > hours:
            credit_now = credit
        else:
            break
    return _clamp(credit_now)


def late_credit(*, hours_late: float, points: Sequence[Point], mode: str, penalty_per_day: float) -> float:
    """One entry point: the curve when the assignment has one, else the per-day penalty."""
    if points:
        return curve_credit(points, mode, hours_late)
    return daily_penalty_credit(hours_late, penalty_per_day)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
