"""Compare kinds: how a check decides, outside the sandbox, whether the student's data is right.

Each kind is one module with ``validate(params)`` (raise ValueError) and
``compare(params, student, reference) -> Verdict``. Adding a kind touches this folder only.
"""

from __future__ import annotations

from types import ModuleType

from grader.checks import allclose, equal, selfgrad
from grader.checks.verdict import Verdict

COMPARES: dict[str, ModuleType] = {
    "allclose": allclose,
    "equal": equal,
    "selfgrad": selfgrad,
}

__all__ = ["COMPARES", "Verdict"]
