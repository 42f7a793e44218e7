"""Acceptance corpus for the chapter 7 code questions, run exactly as an outside corpus runs it:
``python -m grader grade assignments/ch07-cnn <question> <file> --json`` in a subprocess, with the
real sandbox.

* ``correct/<question>/*.py``: right answers in styles the grader must not reject (loops, einsum,
  as_strided, reshape pooling, float32 arithmetic, files written in the book's style, other attribute names and
  signatures). Each gets full marks, for two seeds.
* ``buggy/<question>/*.py``: realistic mistakes. Each loses points, in the checks named in ``BUGGY``,
  whose message or hint names the cause; the checks in ``must_pass`` show the bug is localised.
* ``hostile/<question>/*.py``: attacks. Each ends below full marks with exit code 0 and one valid JSON
  object, and the grader still grades a correct answer right afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from grader.sandbox import sandbox_available

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
BUNDLE = "assignments/ch07-cnn"
QUESTIONS = ("convolution", "pooling", "simple_convnet")
AVAILABLE, WHY_NOT = sandbox_available()

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not AVAILABLE, reason=f"sandbox unavailable: {WHY_NOT}"),
]


@dataclass
class Graded:
    returncode: int
    verdict: dict
    stdout: str

    @property
    def checks(self) -> dict[str, dict]:
        return {check["name"]: check for check in self.verdict["checks"]}

    def failed(self) -> set[str]:
        return {name for name, check in self.checks.items() if not check["passed"]}

    def full_marks(self) -> bool:
        return self.verdict["status"] == "passed" and self.verdict["score"] == self.verdict["max_score"]


def grade(question_dir: str, submission: Path, seed: int = 0) -> Graded:
    command = [sys.executable, "-m", "grader", "grade", BUNDLE, question_dir.replace("_", "-"),
               str(submission), "--json", "--seed", str(seed), "--reveal-hidden"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    try:
        verdict = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"not one JSON object ({error}); exit {done.returncode}\n"
                             f"stdout: {done.stdout[:2000]}\nstderr: {done.stderr[-2000:]}") from None
    assert isinstance(verdict, dict), done.stdout[:2000]
    return Graded(done.returncode, verdict, done.stdout)


def files(kind: str) -> list[str]:
    return sorted(f"{path.parent.name}/{path.stem}" for path in (HERE / kind).glob("*/*.py"))


def path_of(kind: str, name: str) -> Path:
    return HERE / kind / f"{name}.py"


def explain(graded: Graded) -> str:
    return "\n".join(f"{c['name']}: {c['message'][:600]}" for c in graded.verdict["checks"]
                     if not c["passed"]) or json.dumps(graded.verdict)[:2000]


# ---------------------------------------------------------------------------------------------
# correct solutions


@pytest.mark.parametrize("seed", [0, 11])
@pytest.mark.parametrize("name", files("correct"))
def test_a_correct_solution_gets_full_marks(name, seed):
    graded = grade(name.split("/")[0], path_of("correct", name), seed)
    assert graded.returncode == 0
    assert graded.full_marks(), explain(graded)
    assert graded.verdict["max_score"] == 10.0


# ---------------------------------------------------------------------------------------------
# buggy solutions

# convolution
C_FWD = ("forward · stride 1, pad 0", "forward · stride 1, pad 1", "forward · stride 2, pad 1, H ≠ W",
         "forward · 2x3 filter, H ≠ W")
C_BWD_S1 = "backward · stride 1, pad 0"
C_BWD_S2 = "backward · stride 2, pad 1, H ≠ W"
C_TWICE = "backward · called again (the next training step)"
C_GRAD_S1 = "gradient check · stride 1, pad 1"
C_GRAD_S2 = "gradient check · stride 2, 3x2 filter"
# pooling
P_FWD_2X2 = "forward · 2x2, stride 2"
P_FWD_3X3 = "forward · 3x3, stride 2 (overlapping windows), H ≠ W"
P_FWD = (P_FWD_2X2, P_FWD_3X3, "forward · 2x2, stride 1, H ≠ W", "forward · 2x3 window")
P_FWD_2X3 = "forward · 2x3 window"
P_BWD_2X2 = "backward · 2x2, stride 2"
P_BWD_3X3 = "backward · 3x3, stride 2 (overlapping windows)"
P_GRAD = "gradient check · overlapping windows"
# simple-convnet
N_PARAMS = "parameters · default arguments (1x28x28, 30 filters of 5x5)"
N_PARAMS_B = "parameters · 3 channels, pad 1, stride 2"
N_PREDICT = "predict · small network"
N_LOSS = "loss · label indices and one-hot labels"
N_GRAD = "gradient · keys and values (backpropagation)"
N_NUMGRAD = "gradient check · backpropagation vs numerical gradient"


@dataclass
class Bug:
    explained: dict[str, tuple[str, ...]]  # failing check -> texts its message + hint must contain
    must_pass: tuple[str, ...] = field(default=())


BUGGY: dict[str, Bug] = {
    "convolution/answer_sheet_output_size_fixed_no_backward_pad": Bug(
        {C_BWD_S2: ("col2im(dcol, self.x.shape, FH, FW, self.stride)", "same stride and pad"),
         C_GRAD_S1: ("cannot reshape",)},
        must_pass=(*C_FWD, C_BWD_S1, C_TWICE)),
    "convolution/bias_added_after_transpose": Bug(
        {C_FWD[0]: ("could not be broadcast", "return out + self.b", "add the bias b, reshape")}),
    "convolution/db_mean_not_sum": Bug(
        {C_BWD_S1: ("db: ", "times the expected one", "db must sum over the batch")},
        must_pass=C_FWD),
    "convolution/einsum_loops_backward_ignores_stride": Bug(
        {C_BWD_S2: ("dx: ", "Stride and pad are needed in backward too"),
         C_GRAD_S2: ("not the derivative of your own forward",)},
        must_pass=(*C_FWD, C_BWD_S1, C_TWICE, C_GRAD_S1)),
    "convolution/loops_flipped_kernel": Bug(  # forward and backward agree with each other, but
        {C_FWD[0]: ("forward output: ", "does not flip the filter"),  # a wrong forward's gradient
         C_GRAD_S1: ("proves nothing", "your backward does agree with your forward")}),  # scores 0
    "convolution/own_col2im_keeps_padding": Bug(
        {C_BWD_S2: ("dx: expected shape (N=2, C=3, H=7, W=5), got (2, 3, 9, 7)", "padding cut off")},
        must_pass=(*C_FWD, C_BWD_S1, C_TWICE, C_GRAD_S2)),
    "convolution/dW_accumulates_across_calls": Bug(
        {C_TWICE: ("dW after the second backward", "db after the second backward", "+=")},
        must_pass=(*C_FWD, C_BWD_S1, C_BWD_S2, C_GRAD_S1, C_GRAD_S2)),
    "pooling/reshape_assumes_tiling": Bug(
        {P_FWD_3X3: ("expected shape (N=2, C=2, OH=3, OW=2), got (2, 2, 2, 1) (OH, OW differ)", "windows overlap")},
        must_pass=(P_FWD_2X2, P_BWD_2X2)),
    "pooling/dout_not_transposed_backward": Bug(
        {P_BWD_2X2: ("dx: ", "dout.transpose(0, 2, 3, 1)")},
        must_pass=P_FWD),
    "pooling/gradient_split_over_window": Bug(
        {P_BWD_2X2: ("dx: ", "only to the element that was the maximum"),
         P_GRAD: ("not the derivative of your own forward",)},
        must_pass=P_FWD),
    "pooling/window_height_width_swapped": Bug(
        {P_FWD_2X3: ("expected shape (N=2, C=2, OH=3, OW=3), got (2, 2, 2, 3) (OH differs)", "pool_h for the height")},
        must_pass=(P_FWD_2X2, P_FWD_3X3, P_BWD_2X2, P_BWD_3X3, P_GRAD)),
    "pooling/answer_sheet_forward_only_relu": Bug(
        {P_BWD_2X2: ("only to the element that was the maximum",),
         P_GRAD: ("not the derivative of your own forward",)},
        must_pass=P_FWD),
    "simple_convnet/channels_from_width": Bug(
        {N_PARAMS: ("W1: (30, 28, 5, 5)", "W1: (30, 1, 5, 5)"),
         N_PARAMS_B: ("W1: (4, 11, 3, 3)", "input_dim[0]"),
         N_PREDICT: ("fix the parameter shapes first",)}),
    "simple_convnet/pool_stride_one": Bug(
        {N_PREDICT: ("not aligned", "Pooling(2x2, stride 2)")},
        must_pass=(N_PARAMS, N_PARAMS_B)),
    "simple_convnet/skips_last_layer_backward": Bug(
        {N_GRAD: ("grads['W3']", "self.last_layer.backward(1)"),
         N_NUMGRAD: ("not the derivative of your own forward",)},
        must_pass=(N_PARAMS, N_PREDICT, N_LOSS)),
    "simple_convnet/grads_are_the_weights": Bug(
        {N_GRAD: ("grads['W1']", "dW and db attributes")},
        must_pass=(N_PARAMS, N_PREDICT, N_LOSS)),
    "simple_convnet/grads_w2_w3_swapped": Bug(
        {N_GRAD: ("grads['W2']: expected shape (8, 4), got (4, 3)", "Affine1 → W2, b2")},
        must_pass=(N_PARAMS, N_PREDICT, N_LOSS)),
    "simple_convnet/loss_sums_over_batch": Bug(
        {N_LOSS: ("3 times the expected one", "SoftmaxWithLoss")},
        must_pass=(N_PARAMS, N_PREDICT, N_GRAD)),
}


def test_every_buggy_file_has_expectations():
    assert set(files("buggy")) == set(BUGGY)
    for name in BUGGY:
        assert path_of("buggy", name).read_text(encoding="utf-8").startswith('"""Bug')


@pytest.mark.parametrize("seed", [0, 5])
@pytest.mark.parametrize("name", sorted(BUGGY))
def test_a_buggy_solution_loses_points_where_the_bug_is(name, seed):
    bug = BUGGY[name]
    graded = grade(name.split("/")[0], path_of("buggy", name), seed)
    assert graded.returncode == 0
    assert graded.verdict["status"] in ("partial", "failed")
    assert graded.verdict["score"] < graded.verdict["max_score"]
    checks = graded.checks
    for check_name, texts in bug.explained.items():
        check = checks[check_name]
        assert not check["passed"], f"{check_name} should catch this bug\n{explain(graded)}"
        assert check["score"] < check["max_score"]
        shown = check["message"] + "\n" + check["hint"]
        for text in texts:
            assert text in shown, f"{check_name}: {text!r} not in\n{shown}"
    wrongly_failed = {name for name in bug.must_pass if not checks[name]["passed"]}
    assert not wrongly_failed, explain(graded)


# ---------------------------------------------------------------------------------------------
# hostile submissions

REFERENCE = {question: ROOT / BUNDLE / "questions" / question.replace("_", "-") / "reference.py"
             for question in QUESTIONS}


@pytest.mark.parametrize("name", files("hostile"))
def test_a_hostile_submission_stays_below_full_marks_and_the_grader_keeps_working(name):
    question = name.split("/")[0]
    graded = grade(question, path_of("hostile", name))
    assert graded.returncode == 0
    assert set(graded.verdict) >= {"status", "score", "max_score", "checks"}
    assert graded.verdict["score"] < graded.verdict["max_score"], explain(graded)
    assert graded.verdict["status"] != "passed"
    assert graded.stdout.count("\n") <= 1  # one JSON object: nothing the job printed leaked out
    assert "pickled liar ran outside the sandbox" not in graded.stdout

    after = grade(question, REFERENCE[question])
    assert after.returncode == 0 and after.full_marks(), explain(after)
