"""The faulty-part diagnosis names the student's own layer that breaks a failing check, in the
real sandbox (grader/diagnosis.py, grader/harness/substitute.py).

Fixtures (faulty_layer/*.py): the reference network on the student's own layers with one bug
(Pooling.backward, Convolution.forward), with right layers and the network's own bug, and two
hostile modules that try to steer the diagnosis. The diagnosis adds one line to a failing check's
message and ``details["diagnosis"]``; it never changes a score, which the last tests check for every
chapter 7 fixture by grading once with and once without it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from grader import result as r
from grader.api import grade_code
from grader.result import GradeResult
from grader.sandbox import sandbox_available

# some fixtures overflow on purpose (a softmax without the max subtracted)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
HERE = Path(__file__).resolve().parent
FAULTY = HERE / "faulty_layer"
BUNDLE_QUESTIONS = HERE.parents[2] / "assignments" / "ch07-cnn" / "questions"
AVAILABLE, WHY_NOT = sandbox_available()

PREDICT = "predict · small network"
PREDICT_B = "predict · 3 channels, pad 1, stride 2"
LOSS = "loss · label indices and one-hot labels"
GRADIENT = "gradient · keys and values (backpropagation)"
BIG = "gradient · real size (1x28x28, 30 filters, backpropagation)"
C_BACKWARD = "backward · stride 1, pad 0"
C_FORWARD = "forward · stride 1, pad 0"

# fixtures graded in-process by the sweep: the hostile ones patch the harness, which in-process
# would outlive their job (the sandbox forks a fresh child per job)
SWEPT = (sorted(HERE.glob("buggy/*/*.py")) + sorted(HERE.glob("solutions/*/*.py"))
         + [path for path in sorted(FAULTY.glob("*.py")) if not path.stem.startswith("hostile")])
SLUGS = {"convolution": "convolution", "pooling": "pooling", "simple_convnet": "simple-convnet"}


def sandboxed(test):
    test = pytest.mark.sandbox(test)
    return pytest.mark.skipif(not AVAILABLE, reason=f"sandbox unavailable: {WHY_NOT}")(test)


@pytest.fixture(scope="module")
def zygote():
    from grader.sandbox import ZygoteExecutor

    executor = ZygoteExecutor(slots=2)
    yield executor
    executor.close()


def graded(questions, executor, slug: str, path: Path, lang: str = "en", diagnose: bool = True) -> GradeResult:
    question = questions[slug] if diagnose else replace(questions[slug], diagnosis=None)
    return grade_code(question, path.read_text(encoding="utf-8"), seed=0, executor=executor, lang=lang)


def diagnoses(result: GradeResult) -> dict[str, dict]:
    return {check.name: check.details["diagnosis"] for check in result.checks if "diagnosis" in check.details}


def points(result: GradeResult) -> tuple:
    return (result.status, result.score,
            [(check.name, check.passed, check.score, check.details.get("withheld_by")) for check in result.checks])


@sandboxed
def test_a_bug_in_the_students_own_pooling_backward_is_named(questions, zygote):
    result = graded(questions, zygote, "simple-convnet", FAULTY / "own_pooling_backward.py")
    checks = {check.name: check for check in result.checks}
    assert checks[PREDICT].passed and checks[LOSS].passed  # forward is right: nothing to diagnose
    assert diagnoses(result) == {GRADIENT: {
        "fixed_by": ["Pooling.backward"],
        "message": "Diagnosis: your SimpleConvNet is right once your `Pooling.backward` is replaced by "
                   "a correct one — look there."}}
    assert checks[GRADIENT].message.endswith("— look there.")
    assert result.timings["diagnosis_ms"] > 0


@sandboxed
def test_a_bug_in_the_students_own_convolution_forward_is_named(questions, zygote):
    result = graded(questions, zygote, "simple-convnet", FAULTY / "own_convolution_forward.py")
    found = diagnoses(result)
    assert {PREDICT, PREDICT_B, LOSS, GRADIENT} <= set(found)
    assert all(finding["fixed_by"] == ["Convolution.forward"] for finding in found.values())


@sandboxed
def test_the_diagnosis_speaks_the_students_language(questions, zygote):
    result = graded(questions, zygote, "simple-convnet", FAULTY / "own_pooling_backward.py", lang="ko")
    message = {check.name: check.message for check in result.checks}[GRADIENT]
    assert "진단: 여러분의 `Pooling.backward` 을(를) 올바른 구현으로 바꾸면 SimpleConvNet 의 결과가 맞습니다" in message


@sandboxed
@pytest.mark.parametrize(("path", "replaced"), [
    (HERE / "buggy" / "simple_convnet" / "backward_not_reversed.py", []),
    (FAULTY / "own_layers_backward_not_reversed.py", ["Convolution", "Pooling"]),
], ids=["textbook-layers", "own-layers"])
def test_wrong_wiring_in_the_network_names_the_network(questions, zygote, path, replaced):
    result = graded(questions, zygote, "simple-convnet", path)
    finding = diagnoses(result)[GRADIENT]
    assert finding["whole"] is True and finding["replaced"] == replaced
    assert "the layers are right" in finding["message"]
    assert "the fault is in how SimpleConvNet uses them (__init__ / predict / loss / gradient)" in finding["message"]
    assert finding["message"] in {check.name: check.message for check in result.checks}[GRADIENT]


@sandboxed
@pytest.mark.parametrize("path", [
    BUNDLE_QUESTIONS / "simple-convnet" / "reference.py",
    HERE / "solutions" / "simple_convnet" / "textbook_style.py",
    HERE / "solutions" / "simple_convnet" / "own_layers.py",
    FAULTY / "own_layers_correct.py",
], ids=lambda p: p.stem)
def test_a_correct_network_names_nothing_and_keeps_full_marks(questions, zygote, path):
    result = graded(questions, zygote, "simple-convnet", path)
    assert result.status == r.PASSED and result.score == result.max_score == 10.0
    assert diagnoses(result) == {} and result.timings["diagnosis_ms"] == 0.0
    assert not any("Diagnosis" in check.message for check in result.checks)


@sandboxed
def test_convolution_names_the_students_own_col2im(questions, zygote):
    result = graded(questions, zygote, "convolution", FAULTY / "convolution_own_col2im.py")
    found = diagnoses(result)
    assert found[C_BACKWARD]["fixed_by"] == ["col2im"]
    assert C_FORWARD not in found  # forward passes


@sandboxed
def test_convolution_with_right_own_helpers_blames_convolution_itself(questions, zygote):
    result = graded(questions, zygote, "convolution", FAULTY / "convolution_own_helpers_forward_bug.py")
    finding = diagnoses(result)[C_FORWARD]
    assert finding["whole"] is True and finding["replaced"] == ["col2im", "im2col"]
    assert finding["message"].startswith("Diagnosis: the functions are right")
    assert "how Convolution uses them (forward / backward)" in finding["message"]


@sandboxed
def test_pooling_names_the_students_own_im2col(questions, zygote):
    result = graded(questions, zygote, "pooling", FAULTY / "pooling_own_im2col.py")
    found = diagnoses(result)
    assert found["forward · 2x2, stride 2"]["fixed_by"] == ["im2col"]
    assert "Diagnosis: your Pooling is right once your `im2col` is replaced by a correct one" in \
        found["forward · 2x2, stride 2"]["message"]


@sandboxed
def test_convolution_on_the_textbooks_helpers_says_nothing(questions, zygote):
    """Without helpers of the student's own there is nothing to name: the fault is in Convolution,
    which the checks already say (and no correct Convolution is ever put in the job)."""
    result = graded(questions, zygote, "convolution", HERE / "buggy" / "convolution" / "missing_bias.py")
    assert diagnoses(result) == {}


@sandboxed
def test_a_module_right_only_under_diagnosis_misleads_only_its_own_feedback(questions, zygote):
    path = FAULTY / "hostile_right_under_diagnosis.py"
    result = graded(questions, zygote, "simple-convnet", path)
    without = graded(questions, zygote, "simple-convnet", path, diagnose=False)
    assert points(result) == points(without) and result.score == 1.0  # only the parameters checks
    assert diagnoses(result)[PREDICT]["fixed_by"] == ["Relu.forward"]  # the lie it told


@sandboxed
def test_forged_variants_reach_neither_the_feedback_nor_the_points(questions, zygote):
    path = FAULTY / "hostile_forged_variants.py"
    result = graded(questions, zygote, "simple-convnet", path)
    without = graded(questions, zygote, "simple-convnet", path, diagnose=False)
    assert points(result) == points(without)
    assert diagnoses(result) == {}
    assert [check.message for check in result.checks] == [check.message for check in without.checks]


def slug_of(path: Path) -> str:
    if path.parent == FAULTY:
        prefix = path.stem.split("_")[0]
        return prefix if prefix in ("convolution", "pooling") else "simple-convnet"
    return SLUGS[path.parent.name]


@pytest.mark.parametrize("path", SWEPT, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_diagnosis_never_changes_points(questions, executor, path):
    """Every chapter 7 fixture (right, buggy, faulty-layer) scores the same with the diagnosis as
    without it, check by check; only messages gain a line. In-process, for speed: the diagnosis
    itself is the same code in the sandbox (the tests above)."""
    slug = slug_of(path)
    with_diagnosis = graded(questions, executor, slug, path)
    without = graded(questions, executor, slug, path, diagnose=False)
    assert points(with_diagnosis) == points(without)
    for check, plain in zip(with_diagnosis.checks, without.checks, strict=True):
        # (messages are compared by shape: a network that ignores the probes' weights, such as
        # layers_copy_params, draws different numbers in each run)
        line = check.details.get("diagnosis", {}).get("message")
        lines = check.message.split("\n")
        assert lines[-1] == line if line else len(lines) == len(plain.message.split("\n"))
        assert len(lines) == len(plain.message.split("\n")) + (1 if line else 0)
