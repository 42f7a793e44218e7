"""Fixtures for the Run button's tests (grader/run.py): the chapter 7 questions, an in-process
executor, and the real zygote sandbox (tests that use it are marked ``sandbox`` and skipped where
the sandbox cannot run)."""

from pathlib import Path

import pytest

from grader.api import load_question
from grader.harness.inprocess import InProcessExecutor
from grader.sandbox import sandbox_available

AVAILABLE, WHY_NOT = sandbox_available()
ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "assignments" / "ch07-cnn"
MINI = ROOT / "tests" / "grader" / "core" / "fixtures" / "mini"
CODE_QUESTIONS = ("convolution", "pooling", "simple-convnet")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent and "zygote" in item.fixturenames:
            item.add_marker(pytest.mark.sandbox)
            item.add_marker(pytest.mark.timeout(60))
            if not AVAILABLE:
                item.add_marker(pytest.mark.skip(reason=f"sandbox unavailable: {WHY_NOT}"))


@pytest.fixture(scope="session")
def questions() -> dict:
    return {slug: load_question(BUNDLE, slug) for slug in CODE_QUESTIONS}


@pytest.fixture(scope="session")
def inprocess() -> InProcessExecutor:
    return InProcessExecutor()


@pytest.fixture(scope="session")
def zygote():
    from grader.sandbox import ZygoteExecutor

    executor = ZygoteExecutor(slots=1)
    yield executor
    executor.close()
