"""Per-student numbers: draw each declared variable from the seed, redraw until constraints hold."""

from __future__ import annotations

import random
from typing import Any

from grader.errors import BundleError

from .expressions import FUNCTIONS, ExpressionError, check, evaluate

MAX_DRAWS = 1000
Values = dict[str, int | float]


class VariantError(ValueError):
    """No draw satisfied the constraints (validate() makes this practically impossible)."""


def validate_rules(spec: dict[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    rules = spec.get("variables") or {}
    if not isinstance(rules, dict):
        raise BundleError(where, "variables", "must be a mapping NAME: {min, max} or {choices}")
    for name, rule in rules.items():
        field = f"variables.{name}"
        if not isinstance(name, str) or not name.isidentifier() or name in FUNCTIONS:
            raise BundleError(where, field, "the name must be an identifier and not a function name")
        if not isinstance(rule, dict):
            raise BundleError(where, field, "must be {min, max[, step]} or {choices: [...]}")
        if "choices" in rule:
            choices = rule["choices"]
            if not isinstance(choices, list) or not choices or not all(_is_number(c) for c in choices):
                raise BundleError(where, f"{field}.choices", "must be a non-empty list of numbers")
            continue
        low, high, step = rule.get("min"), rule.get("max"), rule.get("step", 1)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high, step)):
            raise BundleError(where, field, "min, max (and step) must be integers")
        if step <= 0:
            raise BundleError(where, f"{field}.step", "must be positive")
        if low > high:
            raise BundleError(where, field, f"the range is empty (min {low} > max {high})")
    constraints = spec.get("constraints") or []
    if not isinstance(constraints, list) or not all(isinstance(c, str) for c in constraints):
        raise BundleError(where, "constraints", "must be a list of expressions")
    for index, constraint in enumerate(constraints):
        try:
            check(constraint, set(rules))
        except ExpressionError as error:
            raise BundleError(where, f"constraints[{index}]", str(error)) from None
    return rules, constraints


def draw(rules: dict[str, Any], constraints: list[str], seed: int) -> Values:
    """The same seed always gives the same values; the draw order is the declaration order."""
    if not rules:
        return {}
    rng = random.Random(seed)
    for _ in range(MAX_DRAWS):
        values: Values = {name: _draw_one(rng, rule) for name, rule in rules.items()}
        if all(evaluate(constraint, values) for constraint in constraints):
            return values
    raise VariantError(f"constraints unsatisfiable after {MAX_DRAWS} draws")


def _draw_one(rng: random.Random, rule: dict[str, Any]) -> int | float:
    if "choices" in rule:
        return rng.choice(rule["choices"])
    return rng.randrange(rule["min"], rule["max"] + 1, rule.get("step", 1))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
