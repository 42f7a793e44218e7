"""``equal``: a small JSON value from the student's run (``meta``) equals the reference's."""

from __future__ import annotations

from typing import Any

from grader.checks.verdict import Verdict, require_key
from grader.job import CaseResult


def validate(params: dict[str, Any]) -> None:
    require_key(params, "key")
    params.setdefault("label", params["key"])


def keys(params: dict[str, Any]) -> tuple[str, ...]:
    """The values this check reads from the student's side."""
    return (params["key"],)


def reference_keys(params: dict[str, Any]) -> tuple[str, ...]:
    """The values this check reads from the reference's side."""
    return (params["key"],)


def compare(params: dict[str, Any], student: CaseResult, reference: CaseResult) -> Verdict:
    key, label = params["key"], params["label"]
    if key not in reference.meta:
        raise LookupError(f"the reference produced no value {key!r}")
    expected, got = reference.meta[key], student.meta.get(key)
    if got == expected:
        return Verdict(True, f"{label}: ok")
    if isinstance(expected, list) and isinstance(got, list):
        missing = [item for item in expected if item not in got]
        extra = [item for item in got if item not in expected]
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        if not parts:
            parts.append("same items in a different order")
        return Verdict(False, f"{label}: expected {expected}, got {got} ({'; '.join(parts)})")
    return Verdict(False, f"{label}: expected {expected!r}, got {got!r}")
