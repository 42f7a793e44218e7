"""The late-credit curve: step and linear shapes, the per-day default, validation."""

from __future__ import annotations

import pytest
from scoring.curve import (
    LINEAR,
    STEP,
    CurveError,
    curve_credit,
    curve_from_text,
    curve_parse,
    curve_to_text,
    daily_penalty_credit,
    late_credit,
)


@pytest.mark.parametrize(("hours", "credit"), [
    (-5, 1.0), (0, 1.0), (0.01, 0.75), (24, 0.75), (24.01, 0.5), (72, 0.25), (96.5, 0.0), (1000, 0.0),
])
def test_the_default_takes_the_daily_penalty_per_started_day(hours, credit):
    assert daily_penalty_credit(hours, 0.25) == pytest.approx(credit)
    # No curve: late_credit is exactly the old rule.
    assert late_credit(hours_late=hours, points=[], mode=STEP, penalty_per_day=0.25) == pytest.approx(credit)


@pytest.mark.parametrize(("hours", "credit"), [
    (0, 1.0), (0.5, 0.9), (24, 0.9), (24.5, 0.6), (48, 0.6), (49, 0.0), (500, 0.0),
])
def test_a_step_curve_keeps_each_credit_until_the_next_point(hours, credit):
    points = [(0.0, 0.9), (24.0, 0.6), (48.0, 0.0)]
    assert curve_credit(points, STEP, hours) == pytest.approx(credit)


def test_a_step_curve_can_start_with_a_grace_period():
    points = [(2.0, 0.8)]
    assert curve_credit(points, STEP, 1.5) == 1.0
    assert curve_credit(points, STEP, 2.5) == pytest.approx(0.8)


@pytest.mark.parametrize(("hours", "credit"), [
    (0, 1.0), (24, 0.75), (48, 0.5), (72, 0.25), (96, 0.0), (200, 0.0),
])
def test_a_linear_curve_interpolates_from_full_credit_at_the_due_date(hours, credit):
    points = [(48.0, 0.5), (96.0, 0.0)]
    assert curve_credit(points, LINEAR, hours) == pytest.approx(credit)


def test_past_the_last_point_the_last_credit_stays():
    assert curve_credit([(24.0, 0.7)], LINEAR, 100) == pytest.approx(0.7)
    assert curve_credit([(24.0, 0.7)], STEP, 100) == pytest.approx(0.7)


def test_a_linear_point_at_zero_hours_is_a_jump_at_the_due_date():
    assert curve_credit([(0.0, 0.8), (10.0, 0.3)], LINEAR, 0.0) == 1.0
    assert curve_credit([(0.0, 0.8), (10.0, 0.3)], LINEAR, 5.0) == pytest.approx(0.55)


@pytest.mark.parametrize(("raw", "problem"), [
    ([[24, 0.5], [12, 0.2]], "increase"),
    ([[24, 0.5], [48, 0.7]], "may not increase"),
    ([[-1, 0.5]], "negative"),
    ([[1, 1.5]], "between 0 and 1"),
    ([[1]], "pair"),
    ("24: 0.5", "list"),
])
def test_bad_curves_are_refused_with_the_reason(raw, problem):
    with pytest.raises(CurveError, match=problem):
        curve_parse(raw)


def test_the_text_notation_reads_fractions_and_percentages_and_round_trips():
    points = curve_from_text("24: 0.8\n48h: 50%; 72 = 0")
    assert points == [(24.0, 0.8), (48.0, 0.5), (72.0, 0.0)]
    assert curve_from_text(curve_to_text(points)) == points
    assert curve_from_text("  \n") == []
    with pytest.raises(CurveError):
        curve_from_text("tomorrow: half")
