"""Compare kinds: how a check decides, outside the sandbox, whether the student's data is right.

Each kind is one module with ``validate(params)`` (raise ValueError),
``compare(params, student, reference) -> Verdict``, and ``keys(params)`` / ``reference_keys(params)``:
the values it reads from the student's and from the reference's results. Adding a kind touches
this folder only.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from grader.checks import allclose, equal, selfgrad
from grader.checks.verdict import Verdict

COMPARES: dict[str, ModuleType] = {
    "allclose": allclose,
    "equal": equal,
    "selfgrad": selfgrad,
}



def unread_from_reference(compares: list[tuple[str, dict[str, Any]]]) -> tuple[str, ...]:
    """The keys a check's comparisons (kind, params) read from the student's results only: the
    reference's job leaves them uncomputed when its probe defers them (``CaseSpec.skip``)."""
    named = [key for kind, params in compares for key in COMPARES[kind].keys(params)]
    read = {key for kind, params in compares for key in COMPARES[kind].reference_keys(params)}
    return tuple(dict.fromkeys(key for key in named if key not in read))


__all__ = ["COMPARES", "Verdict", "unread_from_reference"]
