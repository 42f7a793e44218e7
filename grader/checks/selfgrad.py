"""``selfgrad``: the student's backward agrees with finite differences of the student's own forward.

Both gradients come from the student's process (the probe computes them); this check teaches
consistency between forward and backward, while ``allclose`` against the reference decides
correctness. Agreement alone proves little: a forward that returns zeros (or NaN) and a backward
that returns zeros agree perfectly. So with ``forward`` (the key of the forward output the same
probe returns) the item scores only when that output also matches the reference's.

With ``directions`` the probe measures the slope of the student's loss along a few random
directions (``tools.directional_derivatives``: two forward passes per direction, instead of two per
input value) and ``numeric`` holds those slopes; the check compares each with the analytic
gradient's projection ``sum(gradient * direction)``, computed here. A wrong gradient agrees with
the slope along a random direction only by accident: directions with nonzero integer entries
leave no single wrong value unseen.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks.arrays import compare_arrays, fmt
from grader.checks.verdict import Verdict, require_key, require_tolerances
from grader.job import CaseResult


def validate(params: dict[str, Any]) -> None:
    require_key(params, "analytic", "numeric")
    if "directions" in params:
        require_key(params, "directions")
    require_tolerances(params, (1e-4, 1e-6))
    if "forward" in params:
        require_key(params, "forward")
        for key, default in (("forward_rtol", 1e-5), ("forward_atol", 1e-8)):
            value = params.setdefault(key, default)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{key} must be a number >= 0")
    elif any(key in params for key in ("forward_rtol", "forward_atol")):
        raise ValueError("forward_rtol/forward_atol need forward: the key of the forward output")


def keys(params: dict[str, Any]) -> tuple[str, ...]:
    """The values this check reads from the student's side."""
    optional = tuple(params[key] for key in ("directions", "forward") if key in params)
    return (params["analytic"], params["numeric"], *optional)


def reference_keys(params: dict[str, Any]) -> tuple[str, ...]:
    """Only the forward output: both gradients are the student's own (so the reference's job need
    not compute its finite differences, when the probe defers them)."""
    return () if "forward" not in params else (params["forward"],)


def compare(params: dict[str, Any], student: CaseResult, reference: CaseResult) -> Verdict:
    analytic = student.arrays.get(params["analytic"])
    numeric = student.arrays.get(params["numeric"])
    label = f"{params['analytic']} vs the numerical gradient of your forward"
    directions = student.arrays.get(params["directions"]) if "directions" in params else None
    if analytic is None or numeric is None or ("directions" in params and directions is None):
        return Verdict(False, f"{label}: no value was produced")
    if directions is None:
        verdict = _consistency(label, numeric, analytic, params)
    else:
        verdict = _directional_consistency(label, params["analytic"], numeric, analytic, directions, params)
    if "forward" not in params:
        return verdict
    forward = _forward_verdict(params, student, reference)
    if forward.passed:
        return verdict
    agreement = ("your backward does agree with your forward" if verdict.passed
                 else verdict.message.removeprefix(f"{label}: "))
    return Verdict(
        False,
        f"{label}: not counted — {forward.message}; a gradient check of a wrong forward proves "
        f"nothing (fix the forward first). Meanwhile: {agreement}",
        verdict.details | {"forward_passed": False},
    )


def _consistency(label: str, numeric: Any, analytic: Any, params: dict[str, Any]) -> Verdict:
    verdict = compare_arrays(label, numeric, analytic, params["rtol"], params["atol"], diagnose=False)
    if verdict.details.get("expected_not_finite"):
        verdict.message = (f"{label}: the numerical gradient of your forward is NaN or infinite "
                           f"(your forward produced NaN or infinite values)")
    elif not verdict.passed and "shape" not in verdict.message:
        verdict.message += " — your backward is not the derivative of your own forward"
    return verdict


def _directional_consistency(label: str, name: str, slopes: Any, analytic: Any, directions: Any,
                             params: dict[str, Any]) -> Verdict:
    """Each measured slope against ``sum(analytic * direction)``, with allclose's tolerance rule."""
    count = len(directions) if directions.ndim else 0
    if count == 0 or slopes.shape != (count,):
        return Verdict(False, f"{label}: the probe returned {slopes.shape} slopes for "
                              f"{directions.shape[:1]} directions")
    if analytic.shape != directions.shape[1:]:
        return Verdict(False, f"{label}: expected shape {directions.shape[1:]} (the input's), got "
                              f"{analytic.shape}", {"expected_shape": list(directions.shape[1:]),
                                                    "got_shape": list(analytic.shape)})
    if analytic.dtype.kind == "c":
        return Verdict(False, f"{label}: got complex numbers, expected real ones")
    analytic = analytic.astype(np.float64, copy=False)
    slopes = slopes.astype(np.float64, copy=False)
    if not np.isfinite(analytic).all():
        return Verdict(False, f"{label}: your {name} has NaN or infinite values")
    if not np.isfinite(slopes).all():
        return Verdict(False, f"{label}: the numerical gradient of your forward is NaN or infinite "
                              f"(your forward produced NaN or infinite values)",
                       {"expected_not_finite": True})
    with np.errstate(all="ignore"):  # finite but huge values may still overflow: never a pass
        projections = directions.reshape(count, -1).astype(np.float64) @ analytic.reshape(-1)
        error = np.abs(projections - slopes)
        close = error <= params["atol"] + params["rtol"] * np.abs(slopes)
    max_abs = float(error.max()) if np.isfinite(error).all() else float(np.finfo(np.float64).max)
    if close.all():
        return Verdict(True, f"{label}: ok along {count} random directions (max abs error {fmt(max_abs)})",
                       {"max_abs_error": max_abs, "directions": count})
    index = int(np.argmin(close))
    return Verdict(
        False,
        f"{label}: along random direction {index + 1} of {count} (a small step in every value of the "
        f"input at once), sum({name} * direction) = {fmt(projections[index])} but your forward's "
        f"loss changes at a rate of {fmt(slopes[index])} — your backward is not the derivative of "
        f"your own forward",
        {"max_abs_error": max_abs, "mismatches": int((~close).sum()), "directions": count},
    )


def _forward_verdict(params: dict[str, Any], student: CaseResult, reference: CaseResult) -> Verdict:
    key = params["forward"]
    expected = reference.arrays.get(key)
    if expected is None:
        raise LookupError(f"the reference produced no array {key!r}")
    got = student.arrays.get(key)
    if got is None:
        return Verdict(False, f"your forward output ({key}) was not produced")
    verdict = compare_arrays(key, expected, got, params["forward_rtol"], params["forward_atol"],
                             diagnose=False)
    if not verdict.passed:
        verdict.message = f"your forward output ({verdict.message}) does not match the expected one"
    return verdict
