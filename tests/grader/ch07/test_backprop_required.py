"""A backward that is not backpropagation loses the backward points, in the real sandbox.

The attacks (finite_differences/<question>/*.py) have a right forward and compute gradients by
finite differences of it: element by element, batched per sample or per channel, or, for
SimpleConvNet, ``gradient`` calling ``numerical_gradient``. They agree with the reference on every
small input, but on each question's large-input backward check they need far more than the
question's CPU limit (5 s), so the job stops there, and every other backward check — which counts
only once the large one passes — scores nothing, saying why. What is left is the forward work:
4 of 10 points for convolution and pooling, 4.5 of 10 for SimpleConvNet (parameters, predict,
loss).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import result as r
from grader.api import grade_code
from grader.sandbox import sandbox_available

HERE = Path(__file__).resolve().parent
ATTACKS = sorted((HERE / "finite_differences").glob("*/*.py"))
AVAILABLE, WHY_NOT = sandbox_available()

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not AVAILABLE, reason=f"sandbox unavailable: {WHY_NOT}"),
]

# question -> (the large check, what the forward work is worth)
GATES = {
    "convolution": ("backward · large input (backpropagation)", 4.0),
    "pooling": ("backward · large input (backpropagation)", 4.0),
    "simple-convnet": ("gradient · real size (1x28x28, 30 filters, backpropagation)", 4.5),
}


@pytest.fixture(scope="module")
def zygote():
    from grader.sandbox import ZygoteExecutor

    executor = ZygoteExecutor(slots=2)
    yield executor
    executor.close()


def slug_of(path: Path) -> str:
    return path.parent.name.replace("_", "-")


@pytest.mark.parametrize("path", ATTACKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_finite_differences_lose_the_backward_points(questions, zygote, path):
    slug = slug_of(path)
    gate, forward_points = GATES[slug]
    question = questions[slug]
    result = grade_code(question, path.read_text(encoding="utf-8"), seed=0, executor=zygote)
    checks = {check.name: check for check in result.checks}

    assert result.status == r.TIMEOUT, (result.status, result.message)
    assert result.score == pytest.approx(forward_points), {c.name: c.score for c in result.checks}
    assert not checks[gate].passed and "ran out of time" in checks[gate].message
    gated = [check for check in question.checks if gate in check.requires]
    assert gated and all(checks[check.name].score == 0 for check in gated)
    # the small backward checks the job reached were right: they would have scored, and say why
    # they did not
    withheld = [checks[check.name] for check in gated if "withheld_by" in checks[check.name].details]
    assert withheld, "the attack should have passed the small backward checks by itself"
    for check in withheld:
        assert check.details["withheld_score"] > 0
        assert check.message.startswith(f"not counted: this check scores only once «{gate}» passes")
        assert "numerical differentiation" in check.message


def test_every_question_has_an_attack():
    assert {slug_of(path) for path in ATTACKS} == set(GATES)
