"""What a regrade run would change: per item old -> new and per-check changes, and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from scoring.models import RegradeItem, RegradeRun

EPSILON = 1e-6
Item = RegradeItem.Status


@dataclass
class CheckChange:
    name: str
    old: str  # "passed 1/1", "failed 0/1", "—" (absent); in the request's language
    new: str


@dataclass
class ItemDiff:
    item: RegradeItem
    direction: str  # "up", "down", "same", "failed"
    checks: list[CheckChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.direction in ("up", "down") or bool(self.checks)


@dataclass
class RunDiff:
    run: RegradeRun
    items: list[ItemDiff]
    up: int = 0
    down: int = 0
    unchanged: int = 0
    failed: int = 0

    @property
    def changed_items(self) -> list[ItemDiff]:
        return [item for item in self.items if item.changed or item.direction == "failed"]


def score_direction(old: float | None, new: float | None) -> str:
    if new is None:
        return "failed"
    if old is None or new > old + EPSILON:
        return "up"
    if new < old - EPSILON:
        return "down"
    return "same"


def _describe(check: dict[str, Any] | None) -> str:
    if check is None:
        return "—"
    points = {"score": f"{float(check.get('score', 0)):g}", "max": f"{float(check.get('max_score', 0)):g}"}
    if check.get("passed"):
        return _("passed %(score)s/%(max)s") % points
    return _("failed %(score)s/%(max)s") % points


def _correctness(correct: object) -> str:
    return _("correct") if correct else _("wrong")


def check_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[CheckChange]:
    """Checks (by name) whose outcome or points differ; quiz answers compare correctness."""
    old, new = old or {}, new or {}
    if "checks" not in old and "checks" not in new:
        if "correct" not in new or bool(old.get("correct")) == bool(new.get("correct")):
            return []
        return [CheckChange(
            name=_("answer"), old=_correctness(old.get("correct")), new=_correctness(new.get("correct")),
        )]
    old_checks = {check["name"]: check for check in old.get("checks") or []}
    new_checks = {check["name"]: check for check in new.get("checks") or []}
    changes = []
    for name in [*new_checks, *(name for name in old_checks if name not in new_checks)]:
        before, after = _describe(old_checks.get(name)), _describe(new_checks.get(name))
        if before != after:
            changes.append(CheckChange(name=name, old=before, new=after))
    return changes


def regrade_diff(*, run: RegradeRun) -> RunDiff:
    items = run.items.select_related("student", "submission", "quiz_answer")
    diff = RunDiff(run=run, items=[])
    for item in items:
        if item.status == Item.FAILED:
            direction = "failed"
        elif item.status != Item.DONE:
            direction = "same"  # still grading: shown in the progress bar, not the diff
        else:
            direction = score_direction(item.old_score, item.new_score)
        entry = ItemDiff(item=item, direction=direction)
        if item.status == Item.DONE:
            entry.checks = check_changes(item.old_results, item.new_results)
        diff.items.append(entry)
        if direction == "up":
            diff.up += 1
        elif direction == "down":
            diff.down += 1
        elif direction == "failed":
            diff.failed += 1
        else:
            diff.unchanged += 1
    return diff


def regrade_progress(*, run: RegradeRun) -> dict[str, object]:
    """The polled JSON of the run page."""
    counts = {status: 0 for status in Item.values}
    for status in run.items.values_list("status", flat=True):
        counts[status] += 1
    total = sum(counts.values())
    done = counts[Item.DONE] + counts[Item.FAILED]
    return {
        "id": run.pk, "status": run.status, "total": total, "done": done, "failed": counts[Item.FAILED],
        "percent": 100 if total == 0 else round(100 * done / total),
        "finished": run.status != RegradeRun.Status.RUNNING,
    }
