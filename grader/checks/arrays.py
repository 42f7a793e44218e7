"""Comparing two arrays and explaining the difference in words a student can act on."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from grader.checks.verdict import Verdict


def fmt(value: float) -> str:
    return f"{value:.6g}"


def compare_arrays(
    label: str, expected: np.ndarray, got: np.ndarray, rtol: float, atol: float,
    diagnose: bool = True, axes: list[str] | None = None,
) -> Verdict:
    """``axes``: the names of the expected array's axes (e.g. N, FN, OH, OW), used to say which
    sizes differ when the shapes do."""
    # Huge or odd values (1e308, inf - inf) must give a verdict, not warnings or a crash.
    with np.errstate(all="ignore"):
        return _compare(label, expected, got, rtol, atol, diagnose, axes)


def named_shape(shape: tuple[int, ...], axes: list[str] | None) -> str:
    if not axes or len(axes) != len(shape):
        return str(shape)
    return "(" + ", ".join(f"{name}={size}" for name, size in zip(axes, shape, strict=True)) + ")"


def _shape_message(label: str, expected: tuple[int, ...], got: tuple[int, ...], axes: list[str] | None) -> str:
    message = f"{label}: expected shape {named_shape(expected, axes)}, got {got}"
    if axes and len(axes) == len(expected) == len(got):
        differ = [name for name, want, have in zip(axes, expected, got, strict=True) if want != have]
        message += f" ({', '.join(differ)} differ{'s' if len(differ) == 1 else ''})"
    return message


def _compare(
    label: str, expected: np.ndarray, got: np.ndarray, rtol: float, atol: float, diagnose: bool,
    axes: list[str] | None = None,
) -> Verdict:
    if got.shape != expected.shape:
        message = _shape_message(label, expected.shape, got.shape, axes)
        hint = _shape_hint(expected, got) if diagnose else ""
        return Verdict(False, message + (f" — {hint}" if hint else ""),
                       {"expected_shape": list(expected.shape), "got_shape": list(got.shape)})
    if got.dtype.kind == "c" and expected.dtype.kind != "c":
        return Verdict(False, f"{label}: got complex numbers, expected real ones")
    got_f = got.astype(np.float64, copy=False)
    expected_f = expected.astype(np.float64, copy=False)
    if got_f.size:
        # the usual case first, in a few array operations: every value finite and within tolerance
        # (np.isclose's rule, |got - expected| <= atol + rtol * |expected|)
        abs_err = np.abs(got_f - expected_f)
        max_abs = float(abs_err.max())
        if np.isfinite(max_abs) and (abs_err <= atol + rtol * np.abs(expected_f)).all():
            max_rel = _finite(float((abs_err / np.maximum(np.abs(expected_f), 1e-12)).max()))
            return Verdict(True, f"{label}: ok (max abs error {fmt(max_abs)})",
                           {"max_abs_error": max_abs, "max_rel_error": max_rel})
    # A non-finite value is never right, not even where the other side is NaN too: otherwise an
    # all-NaN forward and an all-NaN "gradient" would agree with each other.
    bad_values = ~np.isfinite(got_f)
    if bad_values.any():
        index = tuple(int(i) for i in np.argwhere(bad_values)[0])
        return Verdict(
            False,
            f"{label}: {int(bad_values.sum())} value(s) are NaN or infinite, first at index "
            f"{index} (expected {fmt(expected_f[index])}) — look for overflow (e.g. exp of large "
            f"numbers) or division by zero",
            {"first_bad_index": list(index)},
        )
    if not np.isfinite(expected_f).all():
        return Verdict(False, f"{label}: the expected values are NaN or infinite, so nothing can be "
                              f"compared", {"expected_not_finite": True})
    if got_f.size == 0:
        return Verdict(True, f"{label}: ok (empty)")
    close = np.isclose(got_f, expected_f, rtol=rtol, atol=atol)
    abs_err = np.abs(got_f - expected_f)
    max_abs = _finite(float(abs_err.max()))
    scale = np.maximum(np.abs(expected_f), 1e-12)
    max_rel = _finite(float((abs_err / scale).max()))
    if close.all():
        return Verdict(True, f"{label}: ok (max abs error {fmt(max_abs)})",
                       {"max_abs_error": max_abs, "max_rel_error": max_rel})
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    wrong = int((~close).sum())
    message = (
        f"{label}: {wrong} of {close.size} values differ; max abs error {fmt(max_abs)}, "
        f"max rel error {fmt(max_rel)}; first mismatch at index {index}: "
        f"expected {fmt(expected_f[index])}, got {fmt(got_f[index])}"
    )
    hint = _value_hint(expected_f, got_f, rtol, atol) if diagnose else ""
    details: dict[str, Any] = {
        "max_abs_error": max_abs, "max_rel_error": max_rel, "mismatches": wrong,
        "first_mismatch_index": list(index),
        "heatmap": mismatch_map(expected_f, got_f, close, rtol, atol),
    }
    return Verdict(False, message + (f" — {hint}" if hint else ""), details)


HEATMAP_CELLS = 32  # at most this many cells per side: a 28x28 map shows as is, a 256x256 one in 8x8 blocks
HEATMAP_LEVELS = 9


def mismatch_map(expected: np.ndarray, got: np.ndarray, close: np.ndarray, rtol: float, atol: float) -> dict[str, Any]:
    """Where the values differ, on the worst 2-D slice (the one with the most wrong values): each
    cell 0 (within tolerance) or 1..9 (how many tolerances off, on a log scale; a block of cells
    shows its worst). Only error sizes, never values: it says *where* to look."""
    shape = expected.shape
    plane_shape = (1, shape[0]) if expected.ndim == 1 else (shape[-2], shape[-1]) if expected.ndim else (1, 1)
    planes = int(np.prod(shape[:-2])) if expected.ndim > 2 else 1
    wrong = (~close).reshape(planes, *plane_shape)
    worst = int(wrong.sum(axis=(1, 2)).argmax())
    lead = [int(i) for i in np.unravel_index(worst, shape[:-2])] if expected.ndim > 2 else []
    tolerance = atol + rtol * np.abs(expected.reshape(planes, *plane_shape)[worst])
    off = np.abs(got.reshape(planes, *plane_shape)[worst] - expected.reshape(planes, *plane_shape)[worst])
    ratio = off / np.maximum(tolerance, np.finfo(np.float64).tiny)
    levels = np.where(wrong[worst], np.clip(np.ceil(np.log10(np.maximum(ratio, 1.0)) * 1.5) + 1, 1, HEATMAP_LEVELS), 0)
    rows, cols = plane_shape
    block = (-(-rows // HEATMAP_CELLS), -(-cols // HEATMAP_CELLS))
    padded = np.zeros((-(-rows // block[0]) * block[0], -(-cols // block[1]) * block[1]))
    padded[:rows, :cols] = levels
    cells = padded.reshape(padded.shape[0] // block[0], block[0], padded.shape[1] // block[1], block[1]).max(axis=(1, 3))
    first = [int(i) for i in np.argwhere(wrong[worst])[0]]
    return {
        "slice": lead, "shape": [rows, cols], "block": list(block), "wrong": int(wrong[worst].sum()),
        "first": first, "cells": cells.astype(int).tolist(),
    }


def _finite(value: float) -> float:
    """Errors of finite but huge values (1e308 - -1e308) overflow; stored results stay finite."""
    return value if np.isfinite(value) else float(np.finfo(np.float64).max)


def _shape_hint(expected: np.ndarray, got: np.ndarray) -> str:
    if got.ndim == expected.ndim and sorted(got.shape) == sorted(expected.shape):
        return "same sizes in a different order: check the transpose/reshape order of the axes"
    if got.size == expected.size:
        return "right number of values in the wrong shape: check your reshape"
    if got.ndim == expected.ndim == 4 and got.shape[:2] == expected.shape[:2]:
        return "the spatial size is off: check the output-size formula (padding, stride, + 1)"
    return ""


def _value_hint(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> str:
    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))

    if expected.ndim >= 2:
        for axes in itertools.permutations(range(expected.ndim)):
            if axes != tuple(range(expected.ndim)) and same(
                np.transpose(expected, axes).reshape(got.shape), got
            ):
                return "the right values in the wrong places: check the order of axes in your transpose/reshape"
    if np.allclose(np.sort(expected, axis=None), np.sort(got, axis=None), rtol=rtol, atol=atol):
        return "the right values in the wrong places: check the order of your reshape/transpose"
    if np.allclose(got, 0, atol=atol):  # before the ratio test: zero is "0 times" anything
        return "all values are zero: is the result computed and returned (or accumulated with +=)?"
    diff = got - expected
    if expected.ndim >= 2 and expected.shape[1] > 1:
        per_channel = diff.mean(axis=tuple(i for i in range(diff.ndim) if i != 1), keepdims=True)
        # Only a real offset: rounding noise is also "constant per channel" at tiny amplitude.
        scale = max(float(np.abs(expected).max(initial=0.0)), 1.0)
        real_offset = float(np.abs(per_channel).max()) > max(atol, rtol * scale) * 10
        if real_offset and np.allclose(diff, np.broadcast_to(per_channel, diff.shape), atol=max(atol, 1e-6) * 10):
            return "off by a constant per channel: check how the bias is added"
    nonzero = np.abs(expected) > atol
    if nonzero.any():
        ratio = got[nonzero] / expected[nonzero]
        if np.allclose(ratio, ratio[0], rtol=1e-6) and not np.isclose(ratio[0], 1.0):
            return f"every value is {fmt(float(ratio[0]))} times the expected one: a missing or extra scale factor (batch size?)"
    mismatched = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if mismatched.mean() < 0.5 and expected.ndim == 4:
        border = np.zeros(expected.shape[2:], dtype=bool)
        border[0, :] = border[-1, :] = border[:, 0] = border[:, -1] = True
        if not mismatched[..., ~border].any():
            return "only values at the border differ: check the padding"
    return ""
