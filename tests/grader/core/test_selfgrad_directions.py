"""``selfgrad`` with ``directions``: a gradient checked against the slopes of the student's own loss
along a few random directions (``harness.tools.directional_derivatives``), two forward passes per
direction instead of two per input value."""

import numpy as np
import pytest

from grader.checks import selfgrad
from grader.harness.tools import directional_derivatives
from grader.job import CaseResult

PARAMS = {"analytic": "dx", "numeric": "dx_num", "directions": "dx_dirs", "forward": "out"}


def params(**extra):
    checked = dict(PARAMS, **extra)
    selfgrad.validate(checked)
    return checked


def directions(rng, shape, count=4):
    size = (count, *shape)
    return rng.integers(1, 9, size=size) * rng.choice((-1, 1), size=size)


def linear_case(gradient_error=None, count=4, seed=0):
    """A loss ``sum(A * x)``: its gradient is ``A``; the student's is ``A + gradient_error``."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(-16, 17, size=(2, 3, 4)) / 8
    x = rng.integers(-16, 17, size=weights.shape) / 8
    along = directions(rng, x.shape, count)
    slopes = directional_derivatives(lambda: float(np.sum(weights * x)), x, along, eps=1 / 8)
    analytic = weights + (0 if gradient_error is None else gradient_error)
    out = np.sum(weights * x, keepdims=True)
    student = CaseResult("c", arrays={"dx": analytic, "dx_num": slopes, "dx_dirs": along, "out": out})
    return student, CaseResult("c", arrays={"out": out})


def test_the_slopes_of_a_linear_loss_are_exact_and_the_input_is_restored():
    rng = np.random.default_rng(1)
    weights, x = rng.standard_normal((5, 7)), rng.integers(-16, 17, size=(5, 7)) / 8
    before = x.copy()
    along = directions(rng, x.shape)
    slopes = directional_derivatives(lambda: float(np.sum(weights * x)), x, along, eps=1 / 8)
    np.testing.assert_allclose(slopes, along.reshape(4, -1) @ weights.reshape(-1), rtol=1e-12)
    assert np.array_equal(x, before)


def test_the_input_is_restored_when_the_loss_raises():
    x = np.arange(6.0)
    calls = []

    def loss():
        calls.append(x.copy())
        raise ZeroDivisionError("the student's forward")

    with pytest.raises(ZeroDivisionError):
        directional_derivatives(loss, x, np.ones((2, 6)), eps=0.5)
    assert np.array_equal(calls[0], np.arange(6.0) + 0.5)
    assert np.array_equal(x, np.arange(6.0))


def test_directions_of_another_shape_are_refused():
    with pytest.raises(ValueError, match="directions of shape"):
        directional_derivatives(lambda: 0.0, np.zeros(3), np.ones((2, 4)))


def test_a_right_gradient_passes_along_every_direction():
    student, reference = linear_case()
    verdict = selfgrad.compare(params(), student, reference)
    assert verdict.passed, verdict.message
    assert "ok along 4 random directions" in verdict.message


@pytest.mark.parametrize("seed", range(20))
def test_any_single_wrong_value_is_seen(seed):
    rng = np.random.default_rng(100 + seed)
    error = np.zeros((2, 3, 4))
    error[tuple(rng.integers(0, n) for n in error.shape)] = rng.choice((-1, 1)) * rng.integers(1, 17) / 8
    student, reference = linear_case(error, seed=seed)
    verdict = selfgrad.compare(params(), student, reference)
    assert not verdict.passed
    assert "not the derivative of your own forward" in verdict.message
    assert "dx vs the numerical gradient of your forward: along random direction" in verdict.message


def test_swapped_values_are_seen_for_almost_every_seed():
    """Two values swapped cancel along a direction only where its two entries are equal
    (1 in 16): with four directions, at most a few seeds in thousands."""
    missed = 0
    for seed in range(300):
        student, reference = linear_case(seed=seed)
        flat = student.arrays["dx"].reshape(-1).copy()
        first, second = np.flatnonzero(flat != flat[0])[:1][0], 0
        flat[[first, second]] = flat[[second, first]]
        student.arrays["dx"] = flat.reshape(student.arrays["dx"].shape)
        missed += selfgrad.compare(params(), student, reference).passed
    assert missed <= 2


def test_a_gradient_of_the_wrong_shape_says_which_shape_was_expected():
    student, reference = linear_case()
    student.arrays["dx"] = student.arrays["dx"].reshape(4, 3, 2)
    verdict = selfgrad.compare(params(), student, reference)
    assert not verdict.passed and "expected shape (2, 3, 4) (the input's), got (4, 3, 2)" in verdict.message


@pytest.mark.parametrize("key,words", [("dx", "your dx has NaN or infinite values"),
                                        ("dx_num", "the numerical gradient of your forward is NaN")])
def test_non_finite_values_never_agree(key, words):
    student, reference = linear_case()
    student.arrays[key] = np.full_like(student.arrays[key], np.nan)
    verdict = selfgrad.compare(params(), student, reference)
    assert not verdict.passed and words in verdict.message


def test_missing_directions_or_a_wrong_count_of_slopes_fail():
    student, reference = linear_case()
    del student.arrays["dx_dirs"]
    assert "no value was produced" in selfgrad.compare(params(), student, reference).message
    student, reference = linear_case()
    student.arrays["dx_num"] = student.arrays["dx_num"][:3]
    verdict = selfgrad.compare(params(), student, reference)
    assert not verdict.passed and "3,) slopes for (4,) directions" in verdict.message


def test_the_directions_are_read_from_the_student_alone():
    checked = params()
    assert set(selfgrad.keys(checked)) == {"dx", "dx_num", "dx_dirs", "out"}
    assert selfgrad.reference_keys(checked) == ("out",)


def test_a_wrong_forward_withholds_even_an_agreeing_gradient():
    student, reference = linear_case()
    reference.arrays["out"] = reference.arrays["out"] + 1
    verdict = selfgrad.compare(params(), student, reference)
    assert not verdict.passed
    assert "a gradient check of a wrong forward proves nothing" in verdict.message
    assert "your backward does agree with your forward" in verdict.message


def test_directions_must_name_a_value():
    with pytest.raises(ValueError, match="needs directions"):
        selfgrad.validate(dict(PARAMS, directions=""))


def test_huge_values_that_overflow_the_projection_never_agree():
    student, reference = linear_case()
    student.arrays["dx"] = np.full_like(student.arrays["dx"], 1e308)
    student.arrays["dx_num"] = np.full_like(student.arrays["dx_num"], np.finfo(np.float64).max)
    verdict = selfgrad.compare(params(), student, reference)
    assert not verdict.passed and "not the derivative of your own forward" in verdict.message
