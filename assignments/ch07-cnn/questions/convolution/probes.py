"""Probes for the convolution question: the same seeded inputs go to the student's and the
reference's ``Convolution``; the comparisons happen outside the sandbox."""

import numpy as np

from grader.harness.tools import numerical_gradient

# A correct convolution is linear in x and W, so central differences are exact up to rounding;
# the small step matches the other questions (float64 keeps the rounding error near 1e-8).
EPS = 1e-7


def _output_size(size, filter_size, stride, pad):
    return (size + 2 * pad - filter_size) // stride + 1


def _inputs(rng, N, C, H, W, FN, FH, FW):
    x = rng.standard_normal((N, C, H, W))
    weights = rng.standard_normal((FN, C, FH, FW))
    bias = rng.standard_normal(FN)
    return x, weights, bias


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
    dout = rng.standard_normal(out_shape)
    layer = sub.Convolution(weights, bias, stride, pad)
    out = layer.forward(x)
    dx = layer.backward(dout)
    return {"out": out, "dx": dx, "dW": layer.dW, "db": layer.db}


def gradcheck(sub, rng, *, N, C, H, W, FN, FH, FW, stride, pad):
    """The student's backward against central differences of the student's own forward.

    The loss is ``sum(forward(x) * dout)`` for a fixed random ``dout``, so its gradient with
    respect to the output is exactly ``dout``. A fresh layer is built for every evaluation, so the
    check does not depend on whether the layer copies ``W`` and ``b``.
    """
    x, weights, bias = _inputs(rng, N, C, H, W, FN, FH, FW)
    layer = sub.Convolution(weights, bias, stride, pad)
    out = np.asarray(layer.forward(x))
    dout = rng.standard_normal(out.shape)
    dx = _copy(layer.backward(dout))
    dW, db = _copy(layer.dW), _copy(layer.db)

    def loss():
        return float(np.sum(sub.Convolution(weights, bias, stride, pad).forward(x) * dout))

    return {
        "dx": dx, "dx_num": numerical_gradient(loss, x, eps=EPS),
        "dW": dW, "dW_num": numerical_gradient(loss, weights, eps=EPS),
        "db": db, "db_num": numerical_gradient(loss, bias, eps=EPS),
    }
