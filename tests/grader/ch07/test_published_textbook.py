"""The book's own published code keeps full marks on all three questions, in the real sandbox.

The code is never part of this repository: the test reads it from a copy of
github.com/oreilly-japan/deep-learning-from-scratch named by ``DLFS_BOOK_DIR`` (a checkout, or a
bare git directory such as a mirror fetch leaves), and is skipped when none is named.

Submissions, as a student would hand the book's files in:
* convolution and pooling: ``common/layers.py`` as it is (its ``common.functions`` / ``common.util``
  imports get the sandbox's own helpers, as every submission's do);
* simple-convnet: ``ch07/simple_convnet.py`` as it is (its layers then come from the sandbox's
  ``common.layers``), and once more with the book's ``common/layers.py`` pasted in place of
  ``from common.layers import *``, so that the network runs on the book's layers too.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from grader import result as r
from grader.api import grade_code
from grader.sandbox import sandbox_available

BOOK = Path(os.environ["DLFS_BOOK_DIR"]) if os.environ.get("DLFS_BOOK_DIR") else None
AVAILABLE, WHY_NOT = sandbox_available()


def read_book(path: str) -> str | None:
    """A file of the book's repository, from a checkout or a bare git directory."""
    if BOOK is None:
        return None
    if (BOOK / path).is_file():
        return (BOOK / path).read_text(encoding="utf-8")
    if (BOOK / "HEAD").is_file():
        done = subprocess.run(["git", f"--git-dir={BOOK}", "show", f"HEAD:{path}"],
                              capture_output=True, check=False, timeout=30)
        if done.returncode == 0:
            return done.stdout.decode("utf-8")
    return None


LAYERS = read_book("common/layers.py")
CONVNET = read_book("ch07/simple_convnet.py")

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not AVAILABLE, reason=f"sandbox unavailable: {WHY_NOT}"),
    pytest.mark.skipif(LAYERS is None or CONVNET is None,
                       reason=f"no copy of the book's code ({BOOK or 'DLFS_BOOK_DIR is not set'}): set "
                              "DLFS_BOOK_DIR to a checkout of oreilly-japan/deep-learning-from-scratch"),
]


def book_submissions() -> dict[str, str]:
    if LAYERS is None or CONVNET is None:
        return {}
    star_import = "from common.layers import *"
    assert star_import in CONVNET
    return {"layers": LAYERS, "simple_convnet": CONVNET,
            "simple_convnet_on_book_layers": CONVNET.replace(star_import, LAYERS)}


SOURCES = book_submissions()
CASES = [("convolution", "layers"), ("pooling", "layers"), ("simple-convnet", "simple_convnet"),
         ("simple-convnet", "simple_convnet_on_book_layers")]


@pytest.fixture(scope="module")
def zygote():
    from grader.sandbox import ZygoteExecutor

    executor = ZygoteExecutor(slots=2)
    yield executor
    executor.close()


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("slug", "name"), CASES, ids=[f"{slug}/{name}" for slug, name in CASES])
def test_the_books_code_gets_full_marks(questions, zygote, slug, name, seed):
    result = grade_code(questions[slug], SOURCES[name], seed=seed, executor=zygote)
    failing = {c.name: c.message[:400] for c in result.checks if not c.passed}
    assert result.status == r.PASSED, (result.status, result.message, failing)
    assert result.score == result.max_score == 10.0


@pytest.mark.parametrize(("slug", "name"), CASES, ids=[f"{slug}/{name}" for slug, name in CASES])
def test_the_books_code_passes_every_public_example(questions, zygote, slug, name):
    """The Run button (grader/run.py): the book's code matches the reference on every example."""
    from grader.run import run_code

    result = run_code(questions[slug], SOURCES[name], "", executor=zygote, seed=1)
    assert result["termination"] == "ok" and result["error"] is None, result["message"]
    assert result["examples"] and all(example["passed"] for example in result["examples"]), \
        [(example["name"], example["error"]) for example in result["examples"] if not example["passed"]]


def test_a_bug_typed_into_the_books_pooling_backward_is_named(questions, zygote):
    """The faulty-part diagnosis (grader/diagnosis.py) on the book's own code: its layers pasted in,
    with one bug in Pooling.backward, are named; the book's code as it is names nothing (above)."""
    right = "dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()"
    source = SOURCES["simple_convnet_on_book_layers"]
    assert right in source
    bug = source.replace(right, "dmax[np.arange(self.arg_max.size), 0] = dout.flatten()")
    result = grade_code(questions["simple-convnet"], bug, seed=0, executor=zygote)
    found = {c.name: c.details["diagnosis"] for c in result.checks if "diagnosis" in c.details}
    assert found == {"gradient · keys and values (backpropagation)": {
        "fixed_by": ["Pooling.backward"],
        "message": "Diagnosis: your SimpleConvNet is right once your `Pooling.backward` is replaced by "
                   "a correct one — look there."}}
