"""The numeric kind's safe expression evaluator."""

from __future__ import annotations

import pytest

from kinds.numeric.expressions import (
    ExpressionError,
    check,
    evaluate,
    evaluate_number,
    names,
)


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("(H + 2*P - F) // S + 1", {"H": 5, "P": 2, "F": 4, "S": 1}, 6),
        ("(W - F + 2*P) / S + 1", {"W": 10, "F": 3, "P": 0, "S": 2}, 4.5),
        ("2 ** 10 % 1000", {}, 24),
        ("-x + +y", {"x": 3, "y": 5}, 2),
        ("min(a, b, 7) + max(a, b)", {"a": 2, "b": 9}, 11),
        ("abs(-3) + round(2.6) + floor(2.9) + ceil(2.1) + sqrt(16)", {}, 3 + 3 + 2 + 3 + 4.0),
        ("round(3.14159, 2)", {}, 3.14),
        ("ceil(25/2)", {}, 13),
    ],
)
def test_it_evaluates_arithmetic(source, variables, expected):
    assert evaluate(source, variables) == pytest.approx(expected)


def test_it_evaluates_comparisons_and_boolean_logic_for_constraints():
    assert evaluate("(H + 2*P - F) % S == 0 and H >= F", {"H": 7, "P": 0, "F": 3, "S": 2}) is True
    assert evaluate("1 < x <= 3", {"x": 4}) is False
    assert evaluate("x == 1 or not x == 2", {"x": 3}) is True


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x.real", "attribute access"),
        ("x[0]", "subscripts"),
        ("(lambda: 1)()", "only the functions"),
        ("lambda: 1", "lambda"),
        ("__import__('os')", "only the functions"),
        ("open('/etc/passwd')", "only the functions"),
        ("'abc'", "only numbers"),
        ("True + 1", "only numbers"),
        ("2 ** 1000", "exponent"),
        ("10 ** 40", "too large"),
        ("1 / 0", "division by zero"),
        ("5 // (x - x)", "division by zero"),
        ("sqrt(-1)", "negative"),
        ("min(1)", "arguments"),
        ("max(a=1, b=2)", "keyword"),
        ("[1, 2]", "lists"),
        ("x if x else 1", "if-expressions"),
        ("1 +", "syntax error"),
        ("", "empty"),
        ("y + 1", "unknown variable 'y'"),
        ("(-8) ** 0.5", "fractional power"),
    ],
)
def test_it_rejects_unsafe_or_broken_expressions_with_a_clear_message(source, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(source, {"x": 2})


def test_it_reports_the_variable_names_without_function_names():
    assert names("max(H, W) * C + floor(x)") == {"H", "W", "C", "x"}


def test_check_names_the_unknown_variables_and_the_declared_ones():
    with pytest.raises(ExpressionError, match=r"unknown variable\(s\) Q .*declared: H, W"):
        check("H * Q + W", {"H", "W"})


def test_a_comparison_is_not_a_numeric_answer():
    with pytest.raises(ExpressionError, match="comparison"):
        evaluate_number("1 < 2", {})
