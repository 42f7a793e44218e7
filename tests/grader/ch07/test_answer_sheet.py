"""The answer sheet of seed 001 (its code reconstructed as written, bugs included) loses points,
and the messages say what to fix."""

from pathlib import Path

from grader import result as r

SHEET = Path(__file__).resolve().parent / "answer_sheet"


def failed(result):
    return {check.name: check for check in result.checks if not check.passed}


def test_convolution_output_size_without_stride_and_plus_one(grade):
    result = grade("convolution", SHEET / "convolution.py")
    assert result.status == r.FAILED and result.score == 0
    wrong = failed(result)
    assert set(wrong) == {check.name for check in result.checks}
    forward = wrong["forward · stride 1, pad 0"]
    # the failing line is quoted, and the hint gives the formula that fixes it
    assert "cannot reshape" in forward.message
    assert "out = out.reshape(N, out_h, out_w, -1)" in forward.message
    assert "// stride + 1" in forward.hint
    stride2 = wrong["forward · stride 2, pad 1, H ≠ W"]
    assert "expected shape (N=2, FN=4, OH=4, OW=3), got (2, 2, 6, 4) (FN, OH, OW differ)" in stride2.message
    assert "// stride" in stride2.hint
    # the sheet stops after forward: backward checks say what is missing
    assert "has no attribute 'backward'" in wrong["backward · stride 2, pad 1, H ≠ W"].message


def test_convolution_answer_fixed_output_size_still_lacks_backward(grade):
    code = (SHEET / "convolution.py").read_text(encoding="utf-8")
    code = code.replace("out_h = (H + 2*self.pad - FH)", "out_h = (H + 2*self.pad - FH) // self.stride + 1")
    code = code.replace("out_w = (W + 2*self.pad - FW)", "out_w = (W + 2*self.pad - FW) // self.stride + 1")
    result = grade("convolution", code)
    assert result.status == r.PARTIAL
    assert not any(name.startswith("forward ·") for name in failed(result))
    assert all("backward" in check.message for check in failed(result).values())


def test_pooling_forward_is_right_but_backward_is_missing(grade):
    result = grade("pooling", SHEET / "pooling.py")
    assert result.status == r.PARTIAL and result.score == 4.0
    wrong = failed(result)
    assert set(wrong) == {
        "backward · 2x2, stride 2",
        "backward · 3x3, stride 2 (overlapping windows)",
        "gradient check · overlapping windows",
        "forward and backward · larger random input",
        "backward · large input (backpropagation)",
    }
    message = wrong["backward · 2x2, stride 2"]
    assert "'Pooling' object has no attribute 'backward'" in message.message
    assert "arg_max" in message.hint


def test_simple_convnet_stops_at_the_undefined_conv_params(grade):
    result = grade("simple-convnet", SHEET / "simple_convnet.py")
    assert result.status == r.FAILED and result.score == 0
    for check in result.checks:
        assert "NameError: name 'conv_params' is not defined" in check.message
        assert "conv_params['stride']" in check.message  # the offending line is quoted


def test_simple_convnet_each_later_bug_is_named_once_the_previous_is_fixed(grade):
    code = (SHEET / "simple_convnet.py").read_text(encoding="utf-8").replace("conv_params[", "conv_param[")
    wrong = failed(grade("simple-convnet", code))
    assert "KeyError: 'w3'" in wrong["predict · small network"].message

    code = code.replace("self.params['w3']", "self.params['W3']")
    wrong = failed(grade("simple-convnet", code))
    shapes = wrong["parameters · default arguments (1x28x28, 30 filters of 5x5)"]
    assert "'W2: (4320, 100)'" in shapes.message and "'W2: (30, 1, 5, 5)'" in shapes.message
    assert "fully connected" in shapes.hint
    assert "self.params['W2'] has shape (2, 1, 3, 3), but this network needs (8, 4)" in \
        wrong["predict · small network"].message

    fixed_shapes = code.replace(
        "self.params['W2'] = weight_init_std * \\\n            np.random.randn(filter_num, input_dim[0], filter_size, filter_size)",
        "self.params['W2'] = weight_init_std * np.random.randn(pool_output_size, hidden_size)",
    ).replace(
        "self.params['W3'] = weight_init_std * \\\n            np.random.randn(filter_num, input_dim[0], filter_size, filter_size)",
        "self.params['W3'] = weight_init_std * np.random.randn(hidden_size, output_size)",
    ).replace("self.params['b2'] = np.zeros(filter_num)", "self.params['b2'] = np.zeros(hidden_size)",
              ).replace("self.params['b3'] = np.zeros(filter_num)", "self.params['b3'] = np.zeros(output_size)")
    result = grade("simple-convnet", fixed_shapes)
    wrong = failed(result)
    assert set(wrong) == {
        "gradient · keys and values (backpropagation)",
        "gradient check · backpropagation vs numerical gradient",
        "gradient · 3 channels, pad 1, stride 2",
        "gradient · real size (1x28x28, 30 filters, backpropagation)",
    }
    assert "'Convolution' object has no attribute 'dw'" in wrong["gradient · keys and values (backpropagation)"].message

    lower_keys = fixed_shapes.replace(".dw", ".dW")
    wrong = failed(grade("simple-convnet", lower_keys))
    keys = wrong["gradient · keys and values (backpropagation)"]
    assert "missing ['W1', 'W2', 'W3']" in keys.message and "unexpected ['w1', 'w2', 'w3']" in keys.message
    assert "capital W" in keys.hint

    all_fixed = lower_keys.replace("grads['w", "grads['W")
    assert grade("simple-convnet", all_fixed).status == r.PASSED
