"""Probes for the convolution question: the same seeded inputs go to the student's and the
reference's ``Convolution``; the comparisons happen outside the sandbox."""

import numpy as np

from grader.harness import substitute
from grader.harness.tools import deferred, directional_derivatives

# Every input is a random multiple of 1/8 in [-2, 2]: each product and sum a convolution computes
# is then exact in float32 as well as float64, so a student who computes in float32 matches the
# reference exactly instead of failing on rounding. A correct convolution is linear in x, W and b,
# so central differences are exact for any step; a step of 1/8 keeps the nudged inputs on the same
# grid (a tiny step such as 1e-7 would vanish when the student's code casts to float32).
EPS = 1 / 8
# The gradient checks measure the slope of the student's loss along this many random directions
# per input (two forward passes each, however many values the input has). A direction's entries are
# nonzero integers in [-8, 8]: a step of EPS along one stays on the grid, and no single wrong value
# of a gradient can hide from it (a wrong gradient escapes all of them only if its errors cancel in
# each of the random sums).
DIRECTIONS = 4


def _grid(rng, shape):
    """Random multiples of 1/8 in [-2, 2] (float64)."""
    return rng.integers(-16, 17, size=shape) / 8


def _output_size(size, filter_size, stride, pad):
    return (size + 2 * pad - filter_size) // stride + 1


def _inputs(rng, N, C, H, W, FN, FH, FW):
    x = _grid(rng, (N, C, H, W))
    weights = _grid(rng, (FN, C, FH, FW))
    bias = _grid(rng, FN)
    return x, weights, bias


def _directions(rng, shape):
    """``DIRECTIONS`` random directions for an input of ``shape``: nonzero integers in [-8, 8]."""
    size = (DIRECTIONS, *shape)
    return rng.integers(1, 9, size=size) * rng.choice((-1, 1), size=size)


def _copy(value):
    """A private float copy (None stays None, so the check can say "no value was produced")."""
    return None if value is None else np.array(value, dtype=np.float64)


def forward(sub, rng, *, N, C, H, W, FN, FH, FW, stride, pad):
    x, weights, bias = _inputs(rng, N, C, H, W, FN, FH, FW)
    layer = sub.Convolution(weights, bias, stride, pad)
    return {"out": layer.forward(x)}


def backward(sub, rng, *, N, C, H, W, FN, FH, FW, stride, pad):
    """dx, dW, db for an upstream gradient of the correct output shape."""
    x, weights, bias = _inputs(rng, N, C, H, W, FN, FH, FW)
    out_shape = (N, FN, _output_size(H, FH, stride, pad), _output_size(W, FW, stride, pad))
    dout = _grid(rng, out_shape)
    layer = sub.Convolution(weights, bias, stride, pad)
    out = layer.forward(x)
    dx = layer.backward(dout)
    return {"out": out, "dx": dx, "dW": layer.dW, "db": layer.db}


def faulty_part(sub, rng, *, probe, args, index, whole):
    """One variant of the faulty-part diagnosis (grader/diagnosis.py): a failing check's probe,
    rerun with its seed after one of the student's own parts is replaced by the textbook's one
    (only what this question's ``textbook:`` already offers the student's code)."""
    return substitute.run_variant(sub, rng, globals()[probe], args, index=index, whole=whole)


def gradcheck(sub, rng, *, N, C, H, W, FN, FH, FW, stride, pad):
    """The student's backward against the slopes of the student's own forward.

    The loss is ``sum(forward(x) * dout)`` for a fixed random ``dout``, so its gradient with
    respect to the output is exactly ``dout``. Its slope along random directions of x, W and b
    (central differences, exact for a layer linear in each) goes back with the directions;
    ``selfgrad`` compares each with ``sum(gradient * direction)``. A fresh layer is built for every
    evaluation, so the check does not depend on whether the layer copies ``W`` and ``b``. ``out``
    goes back too: the check counts only when the forward it differentiates is right. The slopes
    are deferred: only the student's job measures them (the reference's is read for ``out`` alone).
    """
    x, weights, bias = _inputs(rng, N, C, H, W, FN, FH, FW)
    layer = sub.Convolution(weights, bias, stride, pad)
    out = np.asarray(layer.forward(x))
    dout = _grid(rng, out.shape)
    dx = _copy(layer.backward(dout))
    dW, db = _copy(layer.dW), _copy(layer.db)
    along = {name: _directions(rng, value.shape) for name, value in (("x", x), ("W", weights), ("b", bias))}

    def loss():
        return float(np.sum(sub.Convolution(weights, bias, stride, pad).forward(x) * dout))

    def slopes(name, value):
        return deferred(lambda: directional_derivatives(loss, value, along[name], eps=EPS))

    return {
        "out": out,
        "dx": dx, "dx_dirs": deferred(lambda: along["x"]), "dx_num": slopes("x", x),
        "dW": dW, "dW_dirs": deferred(lambda: along["W"]), "dW_num": slopes("W", weights),
        "db": db, "db_dirs": deferred(lambda: along["b"]), "db_num": slopes("b", bias),
    }


def backward_twice(sub, rng, *, N, C, H, W, FN, FH, FW, stride, pad):
    """Two training steps on one layer: the gradients after the second ``backward`` must be that
    step's alone (a layer that accumulates ``dW += ...`` returns the sum of both steps)."""
    x, weights, bias = _inputs(rng, N, C, H, W, FN, FH, FW)
    out_shape = (N, FN, _output_size(H, FH, stride, pad), _output_size(W, FW, stride, pad))
    layer = sub.Convolution(weights, bias, stride, pad)
    layer.forward(x)
    layer.backward(_grid(rng, out_shape))
    layer.forward(_grid(rng, x.shape))
    layer.backward(_grid(rng, out_shape))
    return {"dW": _copy(layer.dW), "db": _copy(layer.db)}


# -- public examples (the Run button; examples: in question.yaml) ------------------------------
# Fixed, public inputs: given literally or drawn from the example's own fixed seed, never from a
# graded seed. The inputs go back too (copied before the student's code sees them), so the student
# sees what the layer was given next to what it returned and what it should have returned.


def example_forward(sub, rng, *, x, W, b, stride=1, pad=0):
    """The forward pass on literal inputs (nested lists)."""
    x, weights, bias = (np.array(value, dtype=np.float64) for value in (x, W, b))
    shown = {"x": x.copy(), "W": weights.copy(), "b": bias.copy()}
    return shown | {"out": sub.Convolution(weights, bias, stride, pad).forward(x)}


def example_forward_backward(sub, rng, *, N, C, H, W, FN, FH, FW, stride, pad):
    """Forward and backward on small inputs drawn from the example's fixed seed."""
    x, weights, bias = _inputs(rng, N, C, H, W, FN, FH, FW)
    out_shape = (N, FN, _output_size(H, FH, stride, pad), _output_size(W, FW, stride, pad))
    dout = _grid(rng, out_shape)
    shown = {"x": x.copy(), "W": weights.copy(), "b": bias.copy(), "dout": dout.copy()}
    layer = sub.Convolution(weights, bias, stride, pad)
    out = layer.forward(x)
    dx = layer.backward(dout)
    return shown | {"out": out, "dx": dx, "dW": _copy(layer.dW), "db": _copy(layer.db)}


# -- cross-checks (the Run button; crosschecks: in question.yaml) --------------------------------
# The student's own numbers from a numeric question of this assignment: what does their code give?


def crosscheck_output_height(sub, rng, *, H, F, P, S):
    """The output height OH the student's Convolution gives for an H x H input and an F x F filter."""
    x = np.zeros((1, 1, H, H))
    out = sub.Convolution(np.zeros((1, 1, F, F)), np.zeros(1), S, P).forward(x)
    return {"value": np.asarray(np.shape(out)[2])}
