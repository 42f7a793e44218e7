"""Numerical differentiation, the slow but trustworthy way to check backpropagation."""

import numpy as np


def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of the scalar function ``f`` at the array ``x`` (any shape).

    ``f`` is called as ``f(x)``. Each element of ``x`` is nudged by ``+h`` and ``-h`` in place and
    restored afterwards, so ``f`` may also read ``x`` through another reference (as the networks'
    ``lambda w: self.loss(x, t)`` does).
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = f(x)
        x[index] = original - h
        minus = f(x)
        x[index] = original
        grad[index] = (plus - minus) / (2 * h)
    return grad


def numerical_diff(f, x, h=1e-4):
    """Central-difference derivative of a function of one number."""
    return (f(x + h) - f(x - h)) / (2 * h)
