"""``allclose``: the student's array equals the reference's within tolerance."""

from __future__ import annotations

from typing import Any

from grader.checks.arrays import compare_arrays
from grader.checks.verdict import Verdict, require_key, require_tolerances
from grader.job import CaseResult


def validate(params: dict[str, Any]) -> None:
    require_key(params, "key")
    require_tolerances(params, (1e-5, 1e-8))
    label = params.setdefault("label", params["key"])
    if not isinstance(label, str):
        raise ValueError("label must be text")
    axes = params.setdefault("axes", None)
    if axes is not None and not (
        isinstance(axes, list) and 1 <= len(axes) <= 8
        and all(isinstance(name, str) and name.isidentifier() for name in axes)
    ):
        raise ValueError("axes must be a list of 1 to 8 axis names (e.g. [N, FN, OH, OW])")


def keys(params: dict[str, Any]) -> tuple[str, ...]:
    """The values this check reads from the student's side."""
    return (params["key"],)


def reference_keys(params: dict[str, Any]) -> tuple[str, ...]:
    """The values this check reads from the reference's side."""
    return (params["key"],)


def compare(params: dict[str, Any], student: CaseResult, reference: CaseResult) -> Verdict:
    key, label = params["key"], params["label"]
    expected = reference.arrays.get(key)
    if expected is None:
        raise LookupError(f"the reference produced no array {key!r}")
    got = student.arrays.get(key)
    if got is None:
        return Verdict(False, f"{label}: no value was produced")
    return compare_arrays(label, expected, got, params["rtol"], params["atol"], axes=params["axes"])
