"""Helpers that probes may use inside the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class Deferred:
    """A value a probe returns uncomputed: the harness computes it only when a check reads it from
    this side (``CaseSpec.skip`` names the keys it does not), after the probe returned. Computing
    it is part of the case: its time counts, and an exception is the case's error."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute


def deferred(compute: Callable[[], Any]) -> Deferred:
    """``{"dx_num": deferred(lambda: numerical_gradient(loss, x))}``: the reference's job, whose
    finite differences no check reads, never pays for them."""
    return Deferred(compute)


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


def directional_derivatives(f: Callable[[], float], x: np.ndarray, directions: np.ndarray,
                            eps: float = 1e-5) -> np.ndarray:
    """Central differences of ``f()`` along each of ``directions`` (shape ``(k, *x.shape)``): the
    slope of ``f`` at ``x`` in each direction, two evaluations per direction however large ``x``
    is. ``x`` is moved in place and restored exactly; ``selfgrad`` with ``directions`` compares the
    slopes with the analytic gradient's projections ``sum(grad * direction)``."""
    if directions.shape[1:] != x.shape:
        raise ValueError(f"directions of shape {directions.shape[1:]} for an input of shape {x.shape}")
    saved = x.copy()
    slopes = np.zeros(len(directions), dtype=np.float64)
    try:
        for index, direction in enumerate(directions):
            np.add(saved, eps * direction, out=x, casting="unsafe")
            plus = float(f())
            np.subtract(saved, eps * direction, out=x, casting="unsafe")
            minus = float(f())
            slopes[index] = (plus - minus) / (2 * eps)
    finally:
        x[...] = saved
    return slopes
