"""The verdict: what grading returns, as plain data that serialises to the CLI's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from grader.sanitize import json_safe

# Final statuses of a grading. "passed"/"partial"/"failed" mean the code ran and checks were
# evaluated; the others say why the code could not be (fully) evaluated. All are verdicts.
PASSED = "passed"
PARTIAL = "partial"
FAILED = "failed"
REJECTED = "rejected"  # not gradable as submitted: empty, too large, not UTF-8
SYNTAX_ERROR = "syntax_error"
RUNTIME_ERROR = "runtime_error"  # the module itself raised while loading
TIMEOUT = "timeout"
MEMORY_LIMIT = "memory_limit"
OUTPUT_LIMIT = "output_limit"
CRASHED = "crashed"  # killed by a signal, exited on its own, broke the result channel
# Not a verdict: grading itself failed (a grade-folder row, the CLI's --json error object).
ERROR = "error"

VERDICT_STATUSES = (
    PASSED, PARTIAL, FAILED, REJECTED, SYNTAX_ERROR, RUNTIME_ERROR, TIMEOUT, MEMORY_LIMIT,
    OUTPUT_LIMIT, CRASHED,
)


@dataclass
class CheckOutcome:
    name: str
    passed: bool
    score: float
    max_score: float
    message: str
    hidden: bool = False
    hint: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class GradeResult:
    status: str
    score: float
    max_score: float
    checks: list[CheckOutcome]
    output: str = ""
    seed: int = 0
    question: str = ""
    message: str = ""  # one line for the whole submission (syntax error, timeout, ...)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that ``json.dumps(..., allow_nan=False)`` accepts and every database stores:
        messages and output come from the job, so they are sanitised here, once for every user."""
        # json_safe copies every container it walks, so one level of fields is enough here
        # (dataclasses.asdict would deep-copy each check's details first: twice the work).
        data = _fields(self)
        data["checks"] = [_fields(check) for check in self.checks]
        return json_safe(data)

    def public_dict(self) -> dict[str, Any]:
        """What a student may see before hidden checks are revealed: a hidden check keeps only
        whether it passed and its points. Its name goes too (it describes its inputs), here and
        wherever another check's message mentions it."""
        data = self.to_dict()
        hidden_names: dict[str, str] = {}
        for check in data["checks"]:
            if check["hidden"]:
                hidden_names[check["name"]] = f"hidden check {len(hidden_names) + 1}"
                check["name"] = hidden_names[check["name"]]
                check["message"] = "hidden check" + (" passed" if check["passed"] else " failed")
                check["hint"] = ""
                check["details"] = {}
        for check in data["checks"]:
            for name, stand_in in hidden_names.items():
                check["message"] = check["message"].replace(name, stand_in)
                check["details"] = _without_name(check["details"], name, stand_in)
        return data


def _fields(record: Any) -> dict[str, Any]:
    return {item.name: getattr(record, item.name) for item in fields(record)}


def _without_name(value: Any, name: str, stand_in: str) -> Any:
    if isinstance(value, str):
        return value.replace(name, stand_in)
    if isinstance(value, list):
        return [_without_name(item, name, stand_in) for item in value]
    if isinstance(value, dict):
        return {key: _without_name(item, name, stand_in) for key, item in value.items()}
    return value
