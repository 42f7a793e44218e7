"""A course with the ``pooled`` bundle: ``intro`` (1 point) for everyone, and the pool ``warmup``
giving each student 2 of ``pick-a`` .. ``pick-d`` (2 points each): 5 points for every student."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment
from courses.models import Course

POOLED = Path(__file__).resolve().parents[1] / "fixtures" / "pooled"
MEMBERS = ["pick-a", "pick-b", "pick-c", "pick-d"]


@pytest.fixture
def pooled_dir(tmp_path: Path) -> Path:
    """A copy of the bundle that a test may edit (grow the pool, change the draw)."""
    target = tmp_path / "pooled"
    shutil.copytree(POOLED, target)
    return target


@pytest.fixture
def pooled(course: Course, pooled_dir: Path) -> Assignment:
    bundle_load(path=pooled_dir, course=course)
    return Assignment.objects.get(course=course, slug="pooled")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
