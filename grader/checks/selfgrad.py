"""``selfgrad``: the student's backward agrees with finite differences of the student's own forward.

Both arrays come from the student's process (the probe computes them); this check teaches
consistency between forward and backward, while ``allclose`` against the reference decides
correctness.
"""

from __future__ import annotations

from typing import Any

from grader.checks.arrays import compare_arrays
from grader.checks.verdict import Verdict, require_key, require_tolerances
from grader.job import CaseResult


def validate(params: dict[str, Any]) -> None:
    require_key(params, "analytic", "numeric")
    require_tolerances(params, (1e-4, 1e-6))


def compare(params: dict[str, Any], student: CaseResult, reference: CaseResult) -> Verdict:
    analytic = student.arrays.get(params["analytic"])
    numeric = student.arrays.get(params["numeric"])
    label = f"{params['analytic']} vs the numerical gradient of your forward"
    if analytic is None or numeric is None:
        return Verdict(False, f"{label}: no value was produced")
    verdict = compare_arrays(label, numeric, analytic, params["rtol"], params["atol"], diagnose=False)
    if not verdict.passed and "shape" not in verdict.message:
        verdict.message += " — your backward is not the derivative of your own forward"
    return verdict
