"""``pools:`` in bundle.yaml: read by ``grader.bundle``, refused with the file and field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bundle import PoolSource, read_bundle
from grader.errors import BundleError
from tests.platform.pools.conftest import MEMBERS, edit

POOL = """pools:
  - name: warmup
    draw: 2
    points: 2
    questions: [pick-a, pick-b, pick-c, pick-d]
"""


def test_the_pools_are_read(pooled_dir: Path) -> None:
    bundle = read_bundle(pooled_dir)
    assert bundle.pools == [PoolSource(name="warmup", draw=2, points=2.0, questions=tuple(MEMBERS))]


def test_a_bundle_without_pools_has_none(pooled_dir: Path) -> None:
    edit(pooled_dir / "bundle.yaml", POOL, "")
    assert read_bundle(pooled_dir).pools == []


def test_points_default_to_the_members_equal_points(pooled_dir: Path) -> None:
    edit(pooled_dir / "bundle.yaml", "    points: 2\n", "")
    assert read_bundle(pooled_dir).pools[0].points == 2.0


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("[pick-a, pick-b, pick-c, pick-d]", "[pick-a, pick-z]", "pools.warmup.questions", "unknown question 'pick-z'"),
    ("draw: 2", "draw: 5", "pools.warmup.draw", "from 1 to 4"),
    ("draw: 2", "draw: 0", "pools.warmup.draw", "from 1 to 4"),
    ("draw: 2", "draw: two", "pools.warmup.draw", "whole number"),
    ("[pick-a, pick-b, pick-c, pick-d]", "[pick-a, pick-a]", "pools.warmup.questions", "twice"),
    ("[pick-a, pick-b, pick-c, pick-d]", "[]", "pools.warmup.questions", "non-empty"),
    ("points: 2\n", "points: 3\n", "pools.warmup.points", "every question of a pool is worth the pool's points"),
    ("points: 2\n", "points: -1\n", "pools.warmup.points", ">= 0"),
    ("name: warmup", "name: Warm Up", "pools[0].name", "lowercase"),
    ("    draw: 2\n", "    draw: 2\n    weight: 3\n", "pools[0].weight", "unknown field"),
])
def test_broken_pools_are_named(pooled_dir: Path, old: str, new: str, field: str, words: str) -> None:
    edit(pooled_dir / "bundle.yaml", old, new)
    with pytest.raises(BundleError) as caught:
        read_bundle(pooled_dir)
    assert caught.value.field == field
    assert words in caught.value.problem
    assert caught.value.path.endswith("bundle.yaml")


def test_a_question_in_two_pools_is_refused(pooled_dir: Path) -> None:
    edit(pooled_dir / "bundle.yaml", "[pick-a, pick-b, pick-c, pick-d]\n",
         "[pick-a, pick-b]\n  - {name: second, draw: 1, points: 2, questions: [pick-b, pick-c]}\n")
    with pytest.raises(BundleError, match="'pick-b' is already in pool 'warmup'"):
        read_bundle(pooled_dir)


def test_a_pool_declared_twice_is_refused(pooled_dir: Path) -> None:
    edit(pooled_dir / "bundle.yaml", "[pick-a, pick-b, pick-c, pick-d]\n",
         "[pick-a, pick-b]\n  - {name: warmup, draw: 1, points: 2, questions: [pick-c]}\n")
    with pytest.raises(BundleError, match="declared twice"):
        read_bundle(pooled_dir)


def test_members_of_unequal_points_are_refused_without_pool_points(pooled_dir: Path) -> None:
    edit(pooled_dir / "bundle.yaml", "    points: 2\n", "")
    edit(pooled_dir / "questions/pick-c/question.yaml", "points: 2", "points: 3")
    with pytest.raises(BundleError, match="different points"):
        read_bundle(pooled_dir)


def test_pools_must_be_a_list(pooled_dir: Path) -> None:
    edit(pooled_dir / "bundle.yaml", POOL, "pools: {warmup: 2}\n")
    with pytest.raises(BundleError) as caught:
        read_bundle(pooled_dir)
    assert caught.value.field == "pools"
