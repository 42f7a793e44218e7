"""Helpers shared by the content tests: the real bundles and small grading shortcuts."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from grader.bundle import BundleSource, QuestionSource, read_bundle
from kinds import AutoGrade, get_kind

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ROOT / "assignments"
BUNDLE_DIRS = [ASSIGNMENTS / "ch07-cnn", ASSIGNMENTS / "cnn-architectures"]
SEEDS = range(12)


@cache
def _read_all() -> tuple[BundleSource, ...]:
    return tuple(read_bundle(path) for path in BUNDLE_DIRS)


def load_bundles() -> list[BundleSource]:
    """The real bundles, read once per test session (reading YAML is the slow part)."""
    return list(_read_all())


def all_questions(kinds: tuple[str, ...] | None = None) -> list[QuestionSource]:
    questions = [q for bundle in load_bundles() for q in bundle.questions]
    return [q for q in questions if kinds is None or q.kind in kinds]


def question(bundle: str, slug: str) -> QuestionSource:
    for source in load_bundles():
        if source.slug == bundle:
            return next(q for q in source.questions if q.slug == slug)
    raise LookupError(f"{bundle}/{slug}")


def where(source: QuestionSource) -> str:
    return str(source.dir / "question.yaml")


def grade_value(
    source: QuestionSource, value: str, variables: dict[str, Any] | None = None, lang: str = "en"
) -> AutoGrade:
    kind = get_kind("numeric")
    answer = kind.parse_answer({"value": [value]}, source.spec)
    return kind.grade(source.spec, variables or {}, answer, lang)
