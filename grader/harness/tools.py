"""Helpers that probes may use inside the sandbox."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central differences of ``f()`` with respect to ``x``, which is perturbed in place."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)  # a view: x must be contiguous, which probes guarantee
    for index in range(flat.size):
        saved = flat[index]
        flat[index] = saved + eps
        plus = float(f())
        flat[index] = saved - eps
        minus = float(f())
        flat[index] = saved
        grad.reshape(-1)[index] = (plus - minus) / (2 * eps)
    return grad
