"""Probes for the pooling question: the same seeded inputs go to the student's and the
reference's ``Pooling``; the comparisons happen outside the sandbox."""

import numpy as np

from grader.harness.tools import numerical_gradient

# A small step makes it very unlikely that a nudge crosses a kink (ReLU at 0, a tie for a
# window's maximum), where finite differences are meaningless; float64 keeps the rounding small.
EPS = 1e-7


def _output_size(size, window, stride):
    return (size - window) // stride + 1


def forward(sub, rng, *, N, C, H, W, pool_h, pool_w, stride):
    x = rng.standard_normal((N, C, H, W))
    return {"out": sub.Pooling(pool_h, pool_w, stride).forward(x)}


def backward(sub, rng, *, N, C, H, W, pool_h, pool_w, stride):
    """dx for an upstream gradient of the correct output shape."""
    x = rng.standard_normal((N, C, H, W))
    dout = rng.standard_normal((N, C, _output_size(H, pool_h, stride), _output_size(W, pool_w, stride)))
    layer = sub.Pooling(pool_h, pool_w, stride)
    out = layer.forward(x)
    return {"out": out, "dx": layer.backward(dout)}


def gradcheck(sub, rng, *, N, C, H, W, pool_h, pool_w, stride):
    """The student's backward against central differences of the student's own forward,
    for the loss ``sum(forward(x) * dout)`` with a fixed random ``dout``."""
    x = rng.standard_normal((N, C, H, W))
    layer = sub.Pooling(pool_h, pool_w, stride)
    out = np.asarray(layer.forward(x))
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    dx = None if dx is None else np.array(dx, dtype=np.float64)

    def loss():
        return float(np.sum(sub.Pooling(pool_h, pool_w, stride).forward(x) * dout))

    return {"dx": dx, "dx_num": numerical_gradient(loss, x, eps=EPS)}
