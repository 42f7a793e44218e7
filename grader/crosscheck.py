"""Cross-checks: a student's code against their own answers to numeric questions.

A numeric question of the same assignment often asks for a number the code question's code
computes: the output height of a convolution, the ``pool_output_size`` of a SimpleConvNet. The
code question declares, in question.yaml::

    crosschecks:
      - name: output-height
        question: output-size            # the numeric question, same assignment
        probe: crosscheck_output_height  # in probes.py: returns {"value": <number>}
        args: {H: H, F: F, P: P, S: S}   # probe argument <- that question's variable (or a number)
        label: {ko: "출력 높이 OH", en: "output height OH"}

The platform resolves ``args`` with the student's own variant of the numeric question and hands
them to the Run job (``grader.run.run_code(crosschecks=...)``): the probe runs the student's code
on those numbers in the sandbox and the number comes back, shown next to the student's answer.
Nothing is graded, and the inputs are the student's own numbers (their prompt shows them), so a
cross-check reveals nothing they could not compute by running their own code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from grader.bundle import localized
from grader.errors import BundleError
from grader.job import CaseResult, CaseSpec

CASE_PREFIX = "__crosscheck:"
MAX_CROSSCHECKS = 8
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class CrossCheckSpec:
    name: str
    question: str  # slug of the numeric question in the same assignment
    probe: str
    args: dict[str, str | int | float]  # probe argument -> variable name of that question, or a number
    label: dict[str, str]

    def resolve(self, variables: dict[str, int | float]) -> dict[str, int | float] | None:
        """The probe's arguments for one student's variant; None when a variable is missing."""
        resolved: dict[str, int | float] = {}
        for argument, source in self.args.items():
            value = variables.get(source) if isinstance(source, str) else source
            if not _number(value):
                return None
            resolved[argument] = value  # type: ignore[assignment]
        return resolved

    def case_spec(self, args: dict[str, int | float]) -> CaseSpec:
        return CaseSpec(name=CASE_PREFIX + self.name, probe=self.probe, args=dict(args), seed=0)


def parse_crosschecks(raw: Any, where: str, probes: set[str]) -> tuple[CrossCheckSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_CROSSCHECKS:
        raise BundleError(where, "crosschecks", f"must be a list of at most {MAX_CROSSCHECKS} cross-checks")
    specs = tuple(_parse_one(item, f"crosschecks[{index}]", where, probes) for index, item in enumerate(raw))
    if len({spec.name for spec in specs}) != len(specs):
        raise BundleError(where, "crosschecks", "cross-check names must be unique")
    return specs


def _parse_one(raw: Any, field: str, where: str, probes: set[str]) -> CrossCheckSpec:
    if not isinstance(raw, dict) or set(raw) - {"name", "question", "probe", "args", "label"}:
        raise BundleError(where, field, "must be a mapping {name, question, probe, args, label}")
    name = raw.get("name")
    if not isinstance(name, str) or not name or not set(name) <= NAME_CHARS or len(name) > 60:
        raise BundleError(where, f"{field}.name", "must be a short lowercase name (a-z, 0-9, - and _)")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise BundleError(where, f"{field}.question", "must be the slug of a numeric question")
    probe = raw.get("probe")
    if probe not in probes:
        raise BundleError(where, f"{field}.probe", f"{probe!r} is not a function in probes.py")
    args = raw.get("args")
    if not isinstance(args, dict) or not args or not all(
        isinstance(key, str) and (isinstance(value, str) or _number(value)) for key, value in args.items()
    ):
        raise BundleError(where, f"{field}.args",
                          "must map each probe argument to a variable name of that question or a number")
    return CrossCheckSpec(name=name, question=question.strip(), probe=probe, args=dict(args),
                          label=localized(raw.get("label"), where, f"{field}.label"))


def crosscheck_cases(specs: tuple[CrossCheckSpec, ...], resolved: dict[str, dict[str, Any]]) -> tuple[CaseSpec, ...]:
    """The Run job's cases for the cross-checks the caller resolved (``{name: args}``); arguments
    that are not plain numbers, or names the question does not declare, are left out."""
    cases = []
    for spec in specs:
        args = resolved.get(spec.name)
        if isinstance(args, dict) and set(args) == set(spec.args) and all(_number(v) for v in args.values()):
            cases.append(spec.case_spec(args))
    return tuple(cases)


def crosscheck_results(specs: tuple[CrossCheckSpec, ...], resolved: dict[str, dict[str, Any]],
                       cases: dict[str, CaseResult]) -> list[dict[str, Any]]:
    """``[{"name", "label", "args": [[argument, value], ...], "value": number | None,
    "error": str | None}]``: what the
    student's code gave for each resolved cross-check (the comparison with the student's answer
    is the caller's: it holds the answer)."""
    results = []
    for spec in specs:
        if spec.name not in resolved:
            continue
        case = cases.get(CASE_PREFIX + spec.name)
        value, error = None, None
        if case is None:
            error = "not run"
        elif case.error is not None:
            error = f"{case.error.get('type', 'Error')}: {case.error.get('message', '')}"[:300]
        else:
            array = case.arrays.get("value")
            if array is not None and array.size == 1 and array.dtype.kind in "biuf":
                number = float(array.reshape(-1)[0])
                value = number if math.isfinite(number) else None
            if value is None:
                error = "the code gave no single finite number"
        # A list of [argument, value] pairs in the spec's order: a JSON object's key order does not
        # survive every database (PostgreSQL's jsonb sorts keys).
        args = [[argument, resolved[spec.name][argument]] for argument in spec.args]
        results.append({"name": spec.name, "label": spec.label, "args": args, "value": value, "error": error})
    return results


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
