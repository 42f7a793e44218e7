"""Activation and loss functions of the textbook, written for this course's sandbox.

Students import them as ``common.functions``. Every function accepts a single sample (1-D) or a
batch (2-D, one sample per row) where that makes sense, like the textbook's helpers do.
"""

import numpy as np


def identity_function(x):
    """Return ``x`` unchanged (the output activation of a regression network)."""
    return x


def step_function(x):
    """1 where ``x > 0``, else 0, as integers (the perceptron's activation)."""
    return (np.asarray(x) > 0).astype(int)


def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, element-wise."""
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_grad(x):
    """Derivative of ``sigmoid`` at ``x``: ``s * (1 - s)`` with ``s = sigmoid(x)``."""
    s = sigmoid(x)
    return s * (1.0 - s)


def relu(x):
    """``max(0, x)`` element-wise."""
    return np.maximum(0, x)


def relu_grad(x):
    """Derivative of ``relu``: 1 where ``x > 0``, else 0 (as floats)."""
    return (np.asarray(x) > 0).astype(float)


def softmax(x):
    """Probabilities along the last axis; works for one sample (1-D) or a batch (2-D).

    The largest score of each sample is subtracted first: the result is mathematically the same,
    and ``exp`` never overflows however large the scores are.
    """
    x = np.asarray(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)


def sum_squared_error(y, t):
    """Half the sum of squared differences, ``0.5 * sum((y - t) ** 2)`` (not averaged)."""
    return 0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2)


def cross_entropy_error(y, t):
    """Mean cross-entropy of predicted probabilities ``y`` against targets ``t``.

    ``y``: probabilities, one sample (1-D) or a batch (2-D).
    ``t``: one-hot rows with ``y``'s shape, or class indices (one per sample).
    A tiny constant (1e-7) inside the log keeps ``log(0)`` from producing ``-inf``.
    """
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if t.size == y.size:  # one-hot targets: turn them into class indices
        t = t.reshape(y.shape).argmax(axis=1)
    batch_size = y.shape[0]
    picked = y[np.arange(batch_size), t.astype(int).reshape(-1)]
    return -np.sum(np.log(picked + 1e-7)) / batch_size


def softmax_loss(x, t):
    """Cross-entropy of ``softmax(x)`` against ``t`` (scores in, mean loss out)."""
    return cross_entropy_error(softmax(x), t)
