"""Numeric questions: the answer is an expression over per-student variables, graded with a tolerance.

Declared misconceptions (common wrong formulas) are evaluated over the same variables, so a student
who forgot the padding gets told so instead of a bare "incorrect".
"""

from __future__ import annotations

import random
from typing import Any

from grader.bundle import localized
from grader.errors import BundleError

from ..base import AnswerError, AutoGrade, KindBase, first_value, format_number, pick, say
from .expressions import ExpressionError, check, evaluate_number
from .numbers import parse_number
from .variables import Values, VariantError, draw, validate_rules

VALIDATION_SEEDS = range(20)  # enough draws to notice empty constraints or a clashing misconception
DEFAULT_TOLERANCE = {"abs": 0.0, "rel": 1e-9}


class NumericKind(KindBase):
    name = "numeric"
    label = {"ko": "수치", "en": "numeric"}
    starter_yaml = """\
# The answer is an expression over the variables (or a plain number).
# variables: {H: {min: 20, max: 60}}     # per-student numbers; write {{H}} in the prompt
answer: "6 * 7"
tolerance: {abs: 0, rel: 0.001}
# unit: {ko: "개", en: "items"}
# misconceptions:
#   - answer: "6 + 7"
#     feedback: {ko: "곱해야 합니다.", en: "Multiply, do not add."}
"""

    def validate(self, spec: dict[str, Any], where: str) -> None:
        self.validate_common(spec, where)
        rules, constraints = validate_rules(spec, where)
        answer = _expression(spec.get("answer"), where, "answer")
        _check_expression(answer, set(rules), where, "answer")
        tolerance = _tolerance(spec, where)
        if spec.get("unit") is not None and not isinstance(spec["unit"], str):
            localized(spec["unit"], where, "unit")
        misconceptions = _misconception_expressions(spec, set(rules), where)
        samples = _samples(rules, constraints, where)
        answers = _values(answer, samples, where, "answer")
        # A misconception equal to the answer (or to an earlier misconception) for every variant
        # could never produce its feedback: that is an authoring mistake.
        seen: list[tuple[str, list[float]]] = [("the answer", answers)]
        for field, expression in misconceptions:
            values = _values(expression, samples, where, field)
            for other, other_values in seen:
                if all(close(a, b, tolerance) for a, b in zip(values, other_values, strict=True)):
                    raise BundleError(where, field,
                                      f"gives the same value as {other} for every variant")
            seen.append((field.removesuffix(".answer"), values))

    def variant(self, spec: dict[str, Any], seed: int) -> Values:
        return draw(spec.get("variables") or {}, spec.get("constraints") or [], seed)

    def public_spec(
        self, spec: dict[str, Any], variables: Values, lang: str, seed: int
    ) -> dict[str, Any]:
        return {"kind": self.name, "unit": pick(spec.get("unit"), lang)}

    def sample_answer(
        self, spec: dict[str, Any], variables: Values, *, correct: bool, rng: random.Random, lang: str,
    ) -> dict[str, list[str]] | None:
        expected = evaluate_number(str(spec["answer"]), variables)
        if correct:
            return {"value": [format_number(expected)]}
        tolerance = {**DEFAULT_TOLERANCE, **(spec.get("tolerance") or {})}
        foreseen = [value for value in (evaluate_number(str(item["answer"]), variables)
                                        for item in spec.get("misconceptions") or [])
                    if not close(value, expected, tolerance)]  # some coincide for some variants
        if foreseen and rng.random() < 0.8:  # most wrong answers are the mistakes authors foresaw
            return {"value": [format_number(rng.choice(foreseen))]}
        step = max(1, round(abs(expected) * 0.25))
        return {"value": [format_number(expected + rng.choice((-1, 1)) * step)]}

    def parse_answer(self, data: dict[str, list[str]], spec: dict[str, Any]) -> dict[str, Any]:
        units = _unit_texts(spec)
        raw = first_value(data, "value")
        unit = first_value(data, "unit").strip()
        if unit and units and unit.casefold() not in {u.casefold() for u in units}:
            expected = " / ".join(units)
            raise AnswerError(f"Give the answer in {expected}.", ko=f"{expected} 단위로 답하세요.")
        return {"value": parse_number(raw, units), "text": raw.strip()[:100]}

    def grade(
        self, spec: dict[str, Any], variables: Values, answer: dict[str, Any], lang: str
    ) -> AutoGrade:
        value = float(answer["value"])
        tolerance = {**DEFAULT_TOLERANCE, **(spec.get("tolerance") or {})}
        expected = evaluate_number(str(spec["answer"]), variables)
        details = {"value": value}
        if close(value, expected, tolerance):
            return AutoGrade(1.0, True, say(lang, ko="정답입니다.", en="Correct."), details=details)
        for index, item in enumerate(spec.get("misconceptions") or []):
            wrong = evaluate_number(str(item["answer"]), variables)
            if close(value, wrong, tolerance) and not close(wrong, expected, tolerance):
                tag = str(item.get("id") or item["answer"])
                details["misconception_index"] = index
                return AutoGrade(0.0, False, pick(item["feedback"], lang), misconception=tag,
                                 details=details)
        return AutoGrade(0.0, False, say(lang, ko="오답입니다.", en="Incorrect."), details=details)


def close(got: float, expected: float, tolerance: dict[str, float]) -> bool:
    allowed = max(float(tolerance.get("abs", 0)), float(tolerance.get("rel", 0)) * abs(expected))
    # a hair of slack so 0.1 + 0.2 style float noise never turns a right answer wrong
    return abs(got - expected) <= allowed + 1e-12 * max(1.0, abs(expected))


def _expression(value: Any, where: str, field: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    if not isinstance(value, str) or not value.strip():
        raise BundleError(where, field, "missing (an expression such as \"(H - F) // S + 1\")")
    return value


def _misconception_expressions(
    spec: dict[str, Any], names: set[str], where: str
) -> list[tuple[str, str]]:
    misconceptions = spec.get("misconceptions") or []
    if not isinstance(misconceptions, list):
        raise BundleError(where, "misconceptions", "must be a list of {answer, feedback}")
    expressions = []
    for index, item in enumerate(misconceptions):
        field = f"misconceptions[{index}]"
        if not isinstance(item, dict):
            raise BundleError(where, field, "must be a mapping {answer, feedback}")
        expression = _expression(item.get("answer"), where, f"{field}.answer")
        _check_expression(expression, names, where, f"{field}.answer")
        localized(item.get("feedback"), where, f"{field}.feedback")
        expressions.append((f"{field}.answer", expression))
    return expressions


def _values(expression: str, samples: list[Values], where: str, field: str) -> list[float]:
    values = []
    for variables in samples:
        try:
            values.append(float(evaluate_number(expression, variables)))
        except ExpressionError as error:
            raise BundleError(where, field, f"{error} (variables {variables})") from None
    return values


def _check_expression(expression: str, names: set[str], where: str, field: str) -> None:
    try:
        check(expression, names)
    except ExpressionError as error:
        raise BundleError(where, field, str(error)) from None


def _tolerance(spec: dict[str, Any], where: str) -> dict[str, float]:
    raw = spec.get("tolerance") or {}
    if not isinstance(raw, dict) or not set(raw) <= {"abs", "rel"}:
        raise BundleError(where, "tolerance", "must be a mapping with abs and/or rel")
    for key, value in raw.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise BundleError(where, f"tolerance.{key}", "must be a number >= 0")
    return {**DEFAULT_TOLERANCE, **raw}


def _samples(rules: dict[str, Any], constraints: list[str], where: str) -> list[Values]:
    if not rules:
        return [{}]
    samples = []
    for seed in VALIDATION_SEEDS:
        try:
            samples.append(draw(rules, constraints, seed))
        except VariantError as error:
            raise BundleError(where, "constraints", str(error)) from None
        except ExpressionError as error:
            raise BundleError(where, "constraints", str(error)) from None
    return samples


def _unit_texts(spec: dict[str, Any]) -> list[str]:
    unit = spec.get("unit")
    if isinstance(unit, str):
        return [unit]
    if isinstance(unit, dict):
        texts = [text.strip() for text in unit.values() if isinstance(text, str) and text.strip()]
        return list(dict.fromkeys(texts))
    return []
