"""Probes for the pooling question: the same seeded inputs go to the student's and the
reference's ``Pooling``; the comparisons happen outside the sandbox."""

import numpy as np

from grader.harness import substitute
from grader.harness.tools import deferred, numerical_gradient

# The inputs are distinct multiples of 1/8 in random order (a shuffled grid): no window has a tie
# for its maximum, so every correct tie-breaking rule agrees, and every value is exact in float32
# as well as float64, so a student who computes in float32 matches the reference exactly. Any two
# inputs differ by at least 1/8, so a nudge of 1/32 never changes which element is a window's
# maximum: max pooling is linear there and central differences are exact (a tiny step such as
# 1e-7 would vanish when the student's code casts to float32).
EPS = 1 / 32


def _distinct_grid(rng, shape):
    """The values -n/16, -n/16 + 1/8, ... (n of them, all distinct) in random order."""
    size = int(np.prod(shape))
    return ((rng.permutation(size) - size // 2) / 8).reshape(shape)


def _grid(rng, shape):
    """Random multiples of 1/8 in [-2, 2], for upstream gradients."""
    return rng.integers(-16, 17, size=shape) / 8


def _output_size(size, window, stride):
    return (size - window) // stride + 1


def forward(sub, rng, *, N, C, H, W, pool_h, pool_w, stride):
    x = _distinct_grid(rng, (N, C, H, W))
    return {"out": sub.Pooling(pool_h, pool_w, stride).forward(x)}


def backward(sub, rng, *, N, C, H, W, pool_h, pool_w, stride):
    """dx for an upstream gradient of the correct output shape."""
    x = _distinct_grid(rng, (N, C, H, W))
    dout = _grid(rng, (N, C, _output_size(H, pool_h, stride), _output_size(W, pool_w, stride)))
    layer = sub.Pooling(pool_h, pool_w, stride)
    out = layer.forward(x)
    return {"out": out, "dx": layer.backward(dout)}


def faulty_part(sub, rng, *, probe, args, index, whole):
    """One variant of the faulty-part diagnosis (grader/diagnosis.py): a failing check's probe,
    rerun with its seed after one of the student's own parts is replaced by the textbook's one
    (only what this question's ``textbook:`` already offers the student's code)."""
    return substitute.run_variant(sub, rng, globals()[probe], args, index=index, whole=whole)


def gradcheck(sub, rng, *, N, C, H, W, pool_h, pool_w, stride):
    """The student's backward against central differences of the student's own forward,
    for the loss ``sum(forward(x) * dout)`` with a fixed random ``dout``. ``out`` goes back too:
    the check counts only when the forward it differentiates is right. The finite differences are
    deferred: only the student's job computes them."""
    x = _distinct_grid(rng, (N, C, H, W))
    layer = sub.Pooling(pool_h, pool_w, stride)
    out = np.asarray(layer.forward(x))
    dout = _grid(rng, out.shape)
    dx = layer.backward(dout)
    dx = None if dx is None else np.array(dx, dtype=np.float64)

    def loss():
        return float(np.sum(sub.Pooling(pool_h, pool_w, stride).forward(x) * dout))

    return {"out": out, "dx": dx, "dx_num": deferred(lambda: numerical_gradient(loss, x, eps=EPS))}


# -- public examples (the Run button; examples: in question.yaml) ------------------------------
# Fixed, public inputs: given literally or drawn from the example's own fixed seed, never from a
# graded seed. The inputs go back too (copied before the student's code sees them).


def example_forward(sub, rng, *, x, pool_h, pool_w, stride):
    """The forward pass on a literal input (nested lists)."""
    x = np.array(x, dtype=np.float64)
    return {"x": x.copy(), "out": sub.Pooling(pool_h, pool_w, stride).forward(x)}


def example_forward_backward(sub, rng, *, N, C, H, W, pool_h, pool_w, stride):
    """Forward and backward on a small input drawn from the example's fixed seed (no ties)."""
    x = _distinct_grid(rng, (N, C, H, W))
    dout = _grid(rng, (N, C, _output_size(H, pool_h, stride), _output_size(W, pool_w, stride)))
    shown = {"x": x.copy(), "dout": dout.copy()}
    layer = sub.Pooling(pool_h, pool_w, stride)
    out = layer.forward(x)
    return shown | {"out": out, "dx": layer.backward(dout)}
