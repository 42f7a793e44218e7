"""The verdict: what grading returns, as plain data that serialises to the CLI's JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
        return asdict(self)

    def public_dict(self) -> dict[str, Any]:
        """What a student may see before hidden checks are revealed: hidden checks lose details."""
        data = self.to_dict()
        for check in data["checks"]:
            if check["hidden"]:
                check["message"] = "hidden check" + (" passed" if check["passed"] else " failed")
                check["hint"] = ""
                check["details"] = {}
        return data
