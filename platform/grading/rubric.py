"""The rubric of a manual question, read from the spec of the version the student answered (a
later bundle edit must not change what an old answer is graded against). The question's kind reads
its own spec (``QuestionKind.rubric`` / ``model_answer``): this module never looks at spec keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assessments.models import QuestionVersion, pick_text
from django.utils.translation import get_language

from kinds import KINDS


@dataclass(frozen=True)
class RubricItem:
    index: int
    text: dict[str, str] | str
    points: float

    @property
    def display_text(self) -> str:
        return pick_text(self.text)

    def snapshot(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text, "points": self.points}


def rubric_items(version: QuestionVersion) -> list[RubricItem]:
    kind = KINDS.get(version.kind)
    if kind is None:
        return []
    return [
        RubricItem(index=int(item["index"]), text=item["text"], points=float(item["points"]))
        for item in kind.rubric(version.spec)
    ]


def model_answer(version: QuestionVersion) -> str:
    kind = KINDS.get(version.kind)
    return kind.model_answer(version.spec, (get_language() or "ko")[:2]) if kind is not None else ""


def clamp_points(value: float, maximum: float) -> float:
    return round(min(max(value, 0.0), maximum), 4)


def rubric_total(items: Iterable[RubricItem], checked: Iterable[int], adjustment: float, maximum: float) -> float:
    """Sum of the ticked items plus the adjustment, clamped to 0..question points: a rubric may
    list more points than the question is worth, and an adjustment may overshoot either way."""
    wanted = set(checked)
    return clamp_points(sum(item.points for item in items if item.index in wanted) + adjustment, maximum)
