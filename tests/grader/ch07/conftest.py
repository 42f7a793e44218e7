"""Shared fixtures for the chapter 7 tests: the bundle's questions, a fast in-process executor,
and the textbook helpers installed as the ``common`` package (as the sandbox does)."""

import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader import protocol
from grader.api import grade_code, load_question
from grader.harness import child
from grader.harness.inprocess import InProcessExecutor
from grader.result import GradeResult

HERE = Path(__file__).resolve().parent
BUNDLE = HERE.parents[2] / "assignments" / "ch07-cnn"
CODE_QUESTIONS = ("convolution", "pooling", "simple-convnet")


@pytest.fixture(scope="session")
def executor() -> InProcessExecutor:
    return InProcessExecutor()


@pytest.fixture(scope="session")
def questions() -> dict:
    return {slug: load_question(BUNDLE, slug) for slug in CODE_QUESTIONS}


@pytest.fixture(scope="session")
def grade(questions, executor) -> Callable[..., GradeResult]:
    """``grade(slug, code_or_path, seed=0, lang="en")`` with the in-process executor."""

    def run(slug: str, code: str | Path, seed: int = 0, lang: str = "en") -> GradeResult:
        source = code.read_text(encoding="utf-8") if isinstance(code, Path) else code
        return grade_code(questions[slug], source, seed=seed, executor=executor, lang=lang)

    return run


@pytest.fixture
def textbook() -> SimpleNamespace:
    """The ``common.*`` modules, installed exactly as a job with every module offered sees them."""
    child.install_textbook({name: protocol.textbook_source(name) for name in protocol.TEXTBOOK_ORDER})
    return SimpleNamespace(**{name: sys.modules[f"common.{name}"]
                              for name in ("functions", "util", "gradient", "layers")})

