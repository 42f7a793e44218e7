from pathlib import Path

import pytest

from grader.api import load_question
from grader.harness.inprocess import InProcessExecutor

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="session")
def inprocess():
    return InProcessExecutor()


@pytest.fixture(scope="session")
def mini_question():
    return load_question(MINI, "scale")
