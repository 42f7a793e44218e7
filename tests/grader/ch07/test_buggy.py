"""Realistic mistakes (tests/grader/ch07/buggy/<question>/<bug>.py, each named in its docstring)
lose points in exactly the checks meant to catch them, with a message that points at the cause."""

from pathlib import Path

import pytest

from grader import result as r

BUGGY = Path(__file__).resolve().parent / "buggy"
# some bugs overflow on purpose (a softmax without the max subtracted): their warnings are expected
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

# convolution
C_FWD_S1P0 = "forward · stride 1, pad 0"
C_FWD_S1P1 = "forward · stride 1, pad 1"
C_FWD_S2P1 = "forward · stride 2, pad 1, H ≠ W"
C_FWD_2X3 = "forward · 2x3 filter, H ≠ W"
C_BWD_S1P0 = "backward · stride 1, pad 0"
C_BWD_S2P1 = "backward · stride 2, pad 1, H ≠ W"
C_GRAD_S1P1 = "gradient check · stride 1, pad 1"
C_GRAD_S2 = "gradient check · stride 2, 3x2 filter"
C_LARGE = "forward and backward · larger random input"
# backward on a large input: only backpropagation finishes in time; every other backward check
# counts only once it passes, so a backward bug it also sees withholds those checks' points
C_BIG = "backward · large input (backpropagation)"
# a second forward/backward on the same layer: catches dW/db accumulated with +=, and every bug
# in dW or db at stride 1 shows there too
C_TWICE = "backward · called again (the next training step)"
C_FORWARDS = {C_FWD_S1P0, C_FWD_S1P1, C_FWD_S2P1, C_FWD_2X3}
C_BACKWARDS = {C_BWD_S1P0, C_BWD_S2P1, C_GRAD_S1P1, C_GRAD_S2, C_LARGE, C_BIG}

# pooling
P_FWD_2X2 = "forward · 2x2, stride 2"
P_FWD_3X3 = "forward · 3x3, stride 2 (overlapping windows), H ≠ W"
P_FWD_S1 = "forward · 2x2, stride 1, H ≠ W"
P_FWD_2X3 = "forward · 2x3 window"
P_BWD_2X2 = "backward · 2x2, stride 2"
P_BWD_3X3 = "backward · 3x3, stride 2 (overlapping windows)"
P_GRAD = "gradient check · overlapping windows"
P_LARGE = "forward and backward · larger random input"
P_BIG = "backward · large input (backpropagation)"
P_FORWARDS = {P_FWD_2X2, P_FWD_3X3, P_FWD_S1, P_FWD_2X3}

# simple-convnet
N_PARAMS = "parameters · default arguments (1x28x28, 30 filters of 5x5)"
N_PARAMS_B = "parameters · 3 channels, pad 1, stride 2"
N_PREDICT = "predict · small network"
N_PREDICT_B = "predict · 3 channels, pad 1, stride 2"
N_LOSS = "loss · label indices and one-hot labels"
N_LOSS_BIG = "loss · large scores (numerical stability)"
N_GRAD = "gradient · keys and values (backpropagation)"
N_NUMGRAD = "gradient check · backpropagation vs numerical gradient"
N_GRAD_B = "gradient · 3 channels, pad 1, stride 2"
N_BIG = "gradient · real size (1x28x28, 30 filters, backpropagation)"
N_GRADIENTS = {N_GRAD, N_NUMGRAD, N_GRAD_B, N_BIG}
N_VALUES = {N_PREDICT, N_PREDICT_B, N_LOSS, N_LOSS_BIG} | N_GRADIENTS

# file -> (the checks that fail, {check: text its message or hint must contain})
EXPECTED = {
    "convolution/output_size_no_stride": (
        {C_FWD_S2P1, C_BWD_S2P1, C_GRAD_S2, C_LARGE},
        {C_FWD_S2P1: "// stride"}),
    "convolution/output_size_no_plus_one": (
        C_FORWARDS | C_BACKWARDS | {C_TWICE},  # stride-2 backward: right, but withheld
        {C_FWD_S1P0: "cannot reshape"}),
    "convolution/missing_bias": (
        C_FORWARDS | {C_GRAD_S1P1, C_GRAD_S2, C_LARGE},
        {C_FWD_S1P0: "off by a constant per channel: check how the bias is added",
         C_GRAD_S1P1: "db vs the numerical gradient"}),
    "convolution/output_not_transposed": (
        C_FORWARDS | {C_GRAD_S1P1, C_GRAD_S2, C_LARGE},
        {C_FWD_S1P0: "the right values in the wrong places", C_GRAD_S1P1: "not the derivative"}),
    "convolution/col_W_wrong_reshape": (
        C_FORWARDS | C_BACKWARDS | {C_TWICE},  # dW, db right: withheld by C_BIG
        {C_FWD_S1P0: "W.reshape(FN, -1).T"}),
    "convolution/stride_ignored_in_backward": (
        {C_BWD_S2P1, C_GRAD_S2, C_LARGE},
        {C_BWD_S2P1: "same stride and pad"}),
    "convolution/db_wrong_axis": (
        C_BACKWARDS | {C_TWICE},
        {C_BWD_S1P0: "db: expected shape (2,), got (18,)"}),
    "convolution/dW_not_reshaped": (
        C_BACKWARDS | {C_TWICE},
        {C_BWD_S1P0: "dW: expected shape (FN=2, C=3, FH=3, FW=3), got (27, 2)"}),
    "convolution/dW_not_transposed": (
        C_BACKWARDS | {C_TWICE},
        {C_BWD_S1P0: "dW: ", C_BWD_S2P1: "the right values in the wrong places"}),
    "convolution/col2im_assigns": (
        C_BACKWARDS | {C_TWICE},  # dW, db right: withheld by C_BIG
        {C_BWD_S2P1: "+="}),
    "convolution/pad_ignored": (
        {C_FWD_S1P1, C_FWD_S2P1, C_BWD_S2P1, C_GRAD_S1P1, C_LARGE},
        {C_FWD_S1P1: "Pass pad to im2col"}),
    "convolution/height_width_swapped": (
        {C_FWD_S2P1, C_FWD_2X3, C_LARGE, C_GRAD_S1P1},  # H ≠ W there: a wrong forward proves nothing
        {C_FWD_S2P1: "do not swap them", C_FWD_2X3: "expected shape (N=1, FN=2, OH=5, OW=3), got (1, 2, 3, 5) (OH, OW differ)"}),
    "convolution/filter_hw_swapped": (
        {C_FWD_2X3, C_GRAD_S2},
        {C_FWD_2X3: "im2col(x, FH, FW, stride, pad)"}),
    "convolution/dout_not_transposed": (
        C_BACKWARDS | {C_TWICE},
        {C_BWD_S1P0: "transpose(0, 2, 3, 1)"}),
    "pooling/gradient_to_every_cell": (
        {P_BWD_2X2, P_BWD_3X3, P_GRAD, P_LARGE, P_BIG},
        {P_BWD_2X2: "only to the element that was the maximum", P_GRAD: "not the derivative"}),
    "pooling/no_arg_max_first_cell": (
        {P_BWD_2X2, P_BWD_3X3, P_GRAD, P_LARGE, P_BIG},
        {P_BWD_2X2: "self.arg_max"}),
    "pooling/output_not_transposed": (
        P_FORWARDS | {P_LARGE},  # backward routes by arg_max, so dx is right; one channel hides it
        {P_FWD_2X2: "the right values in the wrong places"}),
    "pooling/col2im_assigns": (
        {P_BWD_3X3, P_GRAD, P_LARGE},
        {P_BWD_3X3: "fold with += (not =)"}),
    "pooling/stride_hard_coded": (
        {P_FWD_S1},
        {P_FWD_S1: "self.stride"}),
    "pooling/average_pooling": (
        P_FORWARDS | {P_BWD_2X2, P_BWD_3X3, P_LARGE, P_BIG, P_GRAD},  # self-consistent, wrong forward
        {P_FWD_2X2: "values differ"}),
    "pooling/stride_ignored_in_backward": (
        {P_BWD_2X2, P_BWD_3X3, P_GRAD, P_LARGE, P_BIG},
        {P_BWD_2X2: "cannot reshape"}),
    "simple_convnet/w2_w3_filter_shapes": (
        {N_PARAMS, N_PARAMS_B} | N_VALUES,
        {N_PARAMS: "'W2: (4320, 100)'", N_PREDICT: "fix the parameter shapes first"}),
    "simple_convnet/params_key_w3_lowercase": (
        {N_PARAMS, N_PARAMS_B} | N_VALUES,
        {N_PARAMS: "KeyError: 'w3'"}),
    "simple_convnet/grads_keys_lowercase": (
        N_GRADIENTS,
        {N_GRAD: "unexpected ['w1', 'w2', 'w3']", N_NUMGRAD: "no value was produced"}),
    "simple_convnet/grads_read_dw_lowercase": (
        N_GRADIENTS,
        {N_GRAD: "has no attribute 'dw'"}),
    "simple_convnet/missing_relu": (
        {N_PREDICT, N_PREDICT_B, N_LOSS, N_LOSS_BIG} | N_GRADIENTS,  # self-consistent, wrong loss
        {N_PREDICT: "Conv - ReLU - Pooling"}),
    "simple_convnet/loss_without_softmax": (
        {N_LOSS, N_LOSS_BIG} | N_GRADIENTS,
        {N_LOSS: "NaN or infinite", N_LOSS_BIG: "SoftmaxWithLoss"}),
    "simple_convnet/naive_softmax": (
        {N_LOSS_BIG},
        {N_LOSS_BIG: "look for overflow (e.g. exp of large numbers)"}),
    "simple_convnet/affine_does_not_flatten": (
        N_VALUES,
        {N_PREDICT: "not aligned"}),
    "simple_convnet/pooled_size_without_filter_num": (
        {N_PARAMS, N_PARAMS_B} | N_VALUES,
        {N_PARAMS: "'W2: (144, 100)'"}),
    "simple_convnet/conv_size_ignores_pad_stride": (
        {N_PARAMS_B, N_PREDICT_B, N_GRAD_B},
        {N_PARAMS_B: "'W2: (64, 5)'"}),
    "simple_convnet/layers_copy_params": (
        N_VALUES,
        {N_PREDICT: "not copies", N_NUMGRAD: "copies instead of the arrays"}),
    "simple_convnet/stride_pad_swapped": (
        N_VALUES,
        {N_PREDICT_B: "Convolution(W, b, stride, pad)"}),
    "simple_convnet/predict_applies_softmax": (
        N_VALUES,
        {N_PREDICT: "before softmax"}),
    "simple_convnet/backward_not_reversed": (
        N_GRADIENTS,
        {N_GRAD: "reverse order"}),
}


def test_every_buggy_file_is_expected_and_documented():
    files = {f"{p.parent.name}/{p.stem}": p for p in BUGGY.glob("*/*.py")}
    assert set(files) == set(EXPECTED)
    assert len(files) >= 18
    for path in files.values():
        assert path.read_text(encoding="utf-8").startswith('"""Bug: ')


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("seed", [0, 3])
def test_a_buggy_solution_fails_exactly_the_checks_meant_to_catch_it(grade, name, seed):
    question, bug = name.split("/")
    result = grade(question.replace("_", "-"), BUGGY / question / f"{bug}.py", seed=seed)
    expected_failures, explanations = EXPECTED[name]
    assert result.score < result.max_score
    assert result.status in (r.PARTIAL, r.FAILED)
    assert {c.name for c in result.checks if not c.passed} == expected_failures
    checks = {check.name: check for check in result.checks}
    for check_name, text in explanations.items():
        shown = checks[check_name].message + "\n" + checks[check_name].hint
        assert text in shown, shown


def test_a_right_check_withheld_by_the_large_backward_says_why(grade):
    # col2im with = instead of +=: dW and db are right (the second-step check would pass), but dx
    # is wrong on the large input, so no backward check counts, and the message says why
    result = grade("convolution", BUGGY / "convolution" / "col2im_assigns.py")
    checks = {check.name: check for check in result.checks}
    twice = checks[C_TWICE]
    assert not twice.passed and twice.score == 0
    assert twice.details["withheld_by"] == [C_BIG] and twice.details["withheld_score"] == 1.0
    assert twice.message.startswith("not counted: this check scores only once «" + C_BIG)
    assert "one forward pass" in twice.message and "dW after the second backward: ok" in twice.message
    assert "+=" in checks[C_BIG].hint or "col2im" in checks[C_BIG].hint
    korean = {c.name: c for c in grade("convolution", BUGGY / "convolution" / "col2im_assigns.py",
                                       lang="ko").checks}[C_TWICE]
    assert "점수에 반영되지 않았습니다" in korean.message and "역전파" in korean.message


def test_a_gradient_check_of_a_wrong_forward_scores_nothing(grade):
    # average pooling: forward and backward agree with each other, but the forward is wrong
    result = grade("pooling", BUGGY / "pooling" / "average_pooling.py")
    check = {c.name: c for c in result.checks}[P_GRAD]
    assert check.score == 0
    assert "a gradient check of a wrong forward proves nothing" in check.message
    assert "your backward does agree with your forward" in check.message
