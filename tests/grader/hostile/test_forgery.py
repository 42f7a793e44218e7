"""Forging a grade from inside the sandbox: taking the answer key (the project's own textbook
layers, a reference, a cache of either), or learning the hidden checks' inputs and sending them
back to the student. Graded by the real sandboxes against the real chapter-7 questions.

Every attack file implements nothing itself: it scores only if the attack worked, so "at most
10 % of the points" is a real assertion about the sandbox.
"""

import json
from pathlib import Path

import pytest

from grader.api import grade_code, load_question
from grader.question import case_seed
from grader.sandbox import FreshExecutor, ZygoteExecutor

pytestmark = pytest.mark.sandbox

HERE = Path(__file__).resolve().parent
BUNDLE = HERE.parents[2] / "assignments" / "ch07-cnn"
ANSWER_KEY = sorted((HERE / "answer_key").glob("*.py"))
HIDDEN_INPUTS = sorted((HERE / "hidden_inputs").glob("*.py"))
SEED = 11


@pytest.fixture(scope="module")
def zygote():
    executor = ZygoteExecutor(slots=2)
    yield executor
    executor.close()


@pytest.fixture(scope="module")
def questions():
    return {slug: load_question(BUNDLE, slug) for slug in ("convolution", "pooling")}


def test_the_corpus_is_documented():
    assert len(ANSWER_KEY) >= 8 and len(HIDDEN_INPUTS) >= 5
    for path in ANSWER_KEY + HIDDEN_INPUTS:
        assert path.read_text().startswith('"""Attack: '), path.name


@pytest.mark.parametrize("slug", ["convolution", "pooling"])
@pytest.mark.parametrize("path", ANSWER_KEY, ids=lambda path: path.stem)
def test_the_answer_key_is_not_in_the_sandbox(path, slug, zygote, questions):
    result = grade_code(questions[slug], path.read_bytes(), seed=SEED, executor=zygote)
    assert "ANSWER-KEY-FOUND" not in result.output, result.output
    assert result.score <= 0.1 * result.max_score, (result.status, result.score)


@pytest.mark.parametrize("path", [p for p in ANSWER_KEY if "zygote" not in p.stem], ids=lambda p: p.stem)
def test_the_answer_key_is_not_in_the_fresh_sandbox_either(path, questions):
    executor = FreshExecutor()
    result = grade_code(questions["convolution"], path.read_bytes(), seed=SEED, executor=executor)
    assert "ANSWER-KEY-FOUND" not in result.output, result.output
    assert result.score <= 0.1 * result.max_score, (result.status, result.score)


@pytest.mark.parametrize("path", HIDDEN_INPUTS, ids=lambda path: path.stem)
def test_hidden_checks_inputs_never_reach_the_student(path, zygote, questions):
    question = questions["convolution"]
    hidden = [check.name for check in question.checks if check.hidden]
    visible = [check.name for check in question.checks if not check.hidden]
    assert hidden, "the question needs hidden checks for this test to mean anything"
    secrets = hidden + [str(case_seed(SEED, name)) for name in hidden]

    result = grade_code(question, path.read_bytes(), seed=SEED, executor=zygote)
    seen_by_student = json.dumps(result.public_dict(), ensure_ascii=False)
    leaked = [secret for secret in secrets if secret in seen_by_student]
    assert not leaked, f"{path.stem} leaked {leaked}"
    assert result.score <= 0.1 * result.max_score
    if path.stem in ("dup_stdout_and_frames", "exception_message"):
        # the harvesting itself works: what a visible check holds is (rightly) there to see
        assert any(str(case_seed(SEED, name)) in seen_by_student for name in visible)
