from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Verdict:
    passed: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def require_tolerances(params: dict[str, Any], defaults: tuple[float, float]) -> None:
    for key, default in zip(("rtol", "atol"), defaults, strict=True):
        value = params.setdefault(key, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{key} must be a number >= 0")


def require_key(params: dict[str, Any], *names: str) -> None:
    for name in names:
        if not isinstance(params.get(name), str) or not params[name]:
            raise ValueError(f"needs {name}: the name of a value the probe returns")
