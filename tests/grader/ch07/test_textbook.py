"""Our own textbook helpers (grader/textbook/common): values against plain definitions, and every
layer's backward against a numerical gradient of its forward."""

import numpy as np
import pytest


def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar ``f()`` with respect to ``x`` (perturbed in place)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        plus = f()
        x[index] = saved - eps
        minus = f()
        x[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def naive_conv(x, W, b, stride, pad):
    """Convolution by its definition, one output value at a time."""
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h, out_w = (H + 2 * pad - FH) // stride + 1, (Wd + 2 * pad - FW) // stride + 1
    out = np.empty((N, FN, out_h, out_w))
    for n, f, i, j in np.ndindex(out.shape):
        window = padded[n, :, i * stride:i * stride + FH, j * stride:j * stride + FW]
        out[n, f, i, j] = np.sum(window * W[f]) + b[f]
    return out


def naive_max_pool(x, ph, pw, stride):
    N, C, H, W = x.shape
    out = np.empty((N, C, (H - ph) // stride + 1, (W - pw) // stride + 1))
    for n, c, i, j in np.ndindex(out.shape):
        out[n, c, i, j] = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw].max()
    return out


# --- functions ------------------------------------------------------------------------------


def test_activations_match_their_definitions(textbook):
    f = textbook.functions
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    assert f.identity_function(x) is x
    assert f.step_function(x).tolist() == [0, 0, 0, 1, 1]
    np.testing.assert_allclose(f.sigmoid(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(f.relu(x), [0, 0, 0, 0.5, 3.0])
    assert f.relu_grad(x).tolist() == [0, 0, 0, 1, 1]


def test_sigmoid_grad_is_the_derivative_of_sigmoid(textbook):
    f = textbook.functions
    x = np.array([-3.0, -0.3, 0.2, 1.7])
    expected = numeric_grad(lambda: float(np.sum(f.sigmoid(x))), x)
    np.testing.assert_allclose(f.sigmoid_grad(x), expected, rtol=1e-6)


def test_softmax_rows_sum_to_one_and_survive_huge_scores(textbook):
    f = textbook.functions
    batch = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    y = f.softmax(batch)
    np.testing.assert_allclose(y.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(y[0], y[1])  # shifting every score changes nothing
    np.testing.assert_allclose(f.softmax(batch[0]), y[0])  # one sample, 1-D
    assert np.all(np.isfinite(f.softmax(np.array([1e4, 0.0]))))


def test_cross_entropy_accepts_one_hot_or_labels_single_or_batch(textbook):
    f = textbook.functions
    y = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    labels = np.array([1, 0])
    one_hot = np.eye(3)[labels]
    expected = -(np.log(0.7 + 1e-7) + np.log(0.5 + 1e-7)) / 2
    assert f.cross_entropy_error(y, labels) == pytest.approx(expected)
    assert f.cross_entropy_error(y, one_hot) == pytest.approx(expected)
    assert f.cross_entropy_error(y[0], one_hot[0]) == pytest.approx(-np.log(0.7 + 1e-7))
    assert f.cross_entropy_error(y[0], np.array(1)) == pytest.approx(-np.log(0.7 + 1e-7))
    assert f.sum_squared_error(y[0], one_hot[0]) == pytest.approx(0.5 * (0.01 + 0.09 + 0.04))


# --- util -----------------------------------------------------------------------------------

CONV_CASES = [  # N, C, H, W, FN, FH, FW, stride, pad
    (1, 1, 3, 3, 1, 2, 2, 1, 0),
    (2, 3, 5, 5, 2, 3, 3, 1, 0),
    (2, 2, 4, 4, 3, 3, 3, 1, 1),
    (2, 3, 7, 5, 4, 3, 3, 2, 1),
    (1, 2, 6, 5, 2, 2, 3, 1, 0),
    (2, 2, 9, 8, 3, 3, 2, 3, 2),
]


def test_im2col_matches_the_worked_example_of_the_seed(textbook):
    # the 3x3 input and 2x2 filter of the answer sheet: the first output is 3*1 + 3*2 + 0*3 + 5*2 = 19
    x = np.array([[3, 3, 2], [0, 5, 1], [4, 2, 2]], dtype=float).reshape(1, 1, 3, 3)
    col = textbook.util.im2col(x, 2, 2, stride=1, pad=0)
    assert col.shape == (4, 4)
    assert col[0].tolist() == [3, 3, 0, 5]
    out = col @ np.array([1.0, 2.0, 3.0, 2.0])
    assert out[0] == 19


@pytest.mark.parametrize("case", CONV_CASES)
def test_im2col_layout_is_the_textbooks(textbook, case):
    N, C, H, W, _, FH, FW, stride, pad = case
    x = np.random.default_rng(0).standard_normal((N, C, H, W))
    col = textbook.util.im2col(x, FH, FW, stride, pad)
    out_h, out_w = (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1
    assert col.shape == (N * out_h * out_w, C * FH * FW)
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    row = 0
    for n in range(N):  # rows: (sample, output row, output column); columns: (channel, u, v)
        for i in range(out_h):
            for j in range(out_w):
                window = padded[n, :, i * stride:i * stride + FH, j * stride:j * stride + FW]
                np.testing.assert_array_equal(col[row], window.reshape(-1))
                row += 1


@pytest.mark.parametrize("case", CONV_CASES)
def test_col2im_is_the_adjoint_of_im2col(textbook, case):
    # <im2col(x), c> == <x, col2im(c)> for all x, c: col2im adds overlapping windows up
    N, C, H, W, _, FH, FW, stride, pad = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, C, H, W))
    col = textbook.util.im2col(x, FH, FW, stride, pad)
    c = rng.standard_normal(col.shape)
    back = textbook.util.col2im(c, x.shape, FH, FW, stride, pad)
    assert back.shape == x.shape
    assert np.sum(col * c) == pytest.approx(np.sum(x * back))


def test_smooth_curve_and_shuffle_keep_lengths_and_pairs(textbook):
    util = textbook.util
    noisy = np.sin(np.linspace(0, 6, 50)) + np.random.default_rng(2).normal(0, 0.3, 50)
    smooth = util.smooth_curve(noisy)
    assert smooth.shape == noisy.shape
    assert np.abs(np.diff(smooth)).mean() < np.abs(np.diff(noisy)).mean()
    x = np.arange(20).reshape(5, 1, 2, 2)
    t = np.arange(5)
    xs, ts = util.shuffle_dataset(x, t)
    assert sorted(ts.tolist()) == list(range(5))
    np.testing.assert_array_equal(xs[:, 0, 0, 0], ts * 4)


def test_numerical_gradient_handles_any_shape(textbook):
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = textbook.gradient.numerical_gradient(lambda a: float(np.sum(a**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-6)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored


# --- layers ---------------------------------------------------------------------------------


def check_layer_gradients(layer_factory, x, params, rng, *, rtol=1e-5, atol=1e-7):
    """Backward of a fresh layer against finite differences of ``sum(forward(x) * dout)``."""
    layer = layer_factory()
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)

    def loss():
        return float(np.sum(layer_factory().forward(x) * dout))

    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=rtol, atol=atol)
    for attribute, array in params.items():
        np.testing.assert_allclose(getattr(layer, attribute), numeric_grad(loss, array),
                                   rtol=rtol, atol=atol, err_msg=attribute)
    return layer


def test_relu_and_sigmoid_backward(textbook):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    check_layer_gradients(textbook.layers.Relu, x, {}, rng)
    check_layer_gradients(textbook.layers.Sigmoid, x, {}, rng)


def test_relu_does_not_modify_its_input(textbook):
    x = np.array([-1.0, 2.0])
    textbook.layers.Relu().forward(x)
    assert x.tolist() == [-1.0, 2.0]


def test_affine_flattens_4d_input_and_restores_its_shape(textbook):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 2, 3, 3))
    W, b = rng.standard_normal((18, 4)), rng.standard_normal(4)
    layer = check_layer_gradients(lambda: textbook.layers.Affine(W, b), x, {"dW": W, "db": b}, rng)
    assert layer.original_x_shape == (2, 2, 3, 3)


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_backward(textbook, one_hot):
    rng = np.random.default_rng(5)
    scores = rng.standard_normal((4, 3))
    labels = rng.integers(0, 3, 4)
    t = np.eye(3)[labels] if one_hot else labels
    layer = textbook.layers.SoftmaxWithLoss()
    loss = layer.forward(scores, t)
    expected = -np.mean(np.log(textbook.functions.softmax(scores)[np.arange(4), labels] + 1e-7))
    assert loss == pytest.approx(expected)
    dx = layer.backward()
    numeric = numeric_grad(lambda: textbook.layers.SoftmaxWithLoss().forward(scores, t), scores)
    np.testing.assert_allclose(dx, numeric, rtol=1e-4, atol=1e-6)


def test_dropout_keeps_a_fraction_and_scales_at_test_time(textbook):
    np.random.seed(0)
    layer = textbook.layers.Dropout(0.25)
    x = np.ones((200, 50))
    kept = layer.forward(x, train_flg=True)
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), layer.mask)
    np.testing.assert_allclose(layer.forward(x, train_flg=False), 0.75)


def test_batch_normalization_backward(textbook):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 4))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    check_layer_gradients(lambda: textbook.layers.BatchNormalization(gamma, beta), x,
                          {"dgamma": gamma, "dbeta": beta}, rng, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("case", CONV_CASES)
def test_convolution_forward_and_backward(textbook, case):
    N, C, H, W, FN, FH, FW, stride, pad = case
    rng = np.random.default_rng(7)
    x = rng.standard_normal((N, C, H, W))
    weights, bias = rng.standard_normal((FN, C, FH, FW)), rng.standard_normal(FN)
    layer = textbook.layers.Convolution(weights, bias, stride, pad)
    np.testing.assert_allclose(layer.forward(x), naive_conv(x, weights, bias, stride, pad), atol=1e-12)
    assert layer.col.shape[1] == layer.col_W.shape[0] == C * FH * FW and layer.x is x
    check_layer_gradients(lambda: textbook.layers.Convolution(weights, bias, stride, pad), x,
                          {"dW": weights, "db": bias}, rng)


@pytest.mark.parametrize(("shape", "ph", "pw", "stride"), [
    ((2, 3, 4, 4), 2, 2, 2), ((2, 2, 7, 5), 3, 3, 2), ((1, 2, 5, 4), 2, 2, 1), ((2, 2, 6, 7), 2, 3, 2),
])
def test_pooling_forward_and_backward(textbook, shape, ph, pw, stride):
    rng = np.random.default_rng(8)
    x = rng.standard_normal(shape)
    layer = textbook.layers.Pooling(ph, pw, stride)
    np.testing.assert_array_equal(layer.forward(x), naive_max_pool(x, ph, pw, stride))
    assert layer.arg_max.shape == (layer.forward(x).size,)
    check_layer_gradients(lambda: textbook.layers.Pooling(ph, pw, stride), x, {}, rng)


def test_pooling_defaults_to_stride_two(textbook):
    assert textbook.layers.Pooling(2, 2).stride == 2
