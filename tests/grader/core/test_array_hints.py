"""The one-line hints a failed array comparison adds to its message, and the values that never
match (non-finite), whatever the other side holds."""

import numpy as np
import pytest

from grader.checks.arrays import _value_hint, compare_arrays

RNG = np.random.default_rng(0)
EXPECTED = RNG.standard_normal((2, 3, 4, 4))


@pytest.mark.parametrize(
    ("got", "hint"),
    [
        (np.zeros_like(EXPECTED), "all values are zero"),
        (EXPECTED + np.array([0.0, 1.0, 2.0])[None, :, None, None], "off by a constant per channel"),
        (3 * EXPECTED, "every value is 3 times the expected one"),
        (EXPECTED.transpose(0, 1, 3, 2), "the right values in the wrong places"),
    ],
)
def test_a_recognisable_mistake_gets_its_hint(got, hint):
    assert hint in _value_hint(EXPECTED, got, rtol=1e-6, atol=1e-9)


def test_rounding_noise_is_not_called_a_bias_mistake():
    # float32 arithmetic: differences of ~1e-7, constant per channel by accident.
    noisy = EXPECTED + 1e-7 * np.array([1.0, -1.0, 1.0])[None, :, None, None]
    assert "bias" not in _value_hint(EXPECTED, noisy, rtol=1e-6, atol=1e-9)


# --- compare_arrays: values that are never right ----------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_value_never_matches_not_even_itself(bad):
    same = np.full((2, 3), bad)
    verdict = compare_arrays("out", same, same.copy(), rtol=1e-5, atol=1e-8)
    assert not verdict.passed and "NaN or infinite" in verdict.message
    got = EXPECTED.copy()
    got[1, 2, 3, 0] = bad
    verdict = compare_arrays("out", EXPECTED, got, rtol=1e-5, atol=1e-8)
    assert not verdict.passed and "first at index (1, 2, 3, 0)" in verdict.message


def test_huge_values_give_a_finite_verdict_without_warnings():
    with np.errstate(all="raise"):
        verdict = compare_arrays("out", EXPECTED, np.full(EXPECTED.shape, -1e308), rtol=1e-5, atol=1e-8)
    assert not verdict.passed
    assert np.isfinite(verdict.details["max_abs_error"]) and np.isfinite(verdict.details["max_rel_error"])


@pytest.mark.parametrize("dtype", [bool, np.int64, np.uint8, np.float16])
def test_oddly_typed_arrays_are_compared_by_value(dtype):
    verdict = compare_arrays("out", EXPECTED, np.ones(EXPECTED.shape, dtype=dtype), rtol=1e-5, atol=1e-8)
    assert not verdict.passed and "values differ" in verdict.message
    exact = np.array([[0, 1, 1], [1, 0, 1]])
    assert compare_arrays("out", exact.astype(float), exact.astype(dtype), rtol=0, atol=0).passed


def test_complex_and_empty_results_fail_against_real_ones():
    assert "complex" in compare_arrays("out", EXPECTED, EXPECTED.astype(complex), 1e-5, 1e-8).message
    assert "expected shape (2, 3, 4, 4), got (0,)" in compare_arrays("out", EXPECTED, np.empty(0), 1e-5, 1e-8).message


def test_a_shape_mismatch_names_the_axes_that_differ():
    import numpy as np

    from grader.checks.arrays import compare_arrays

    verdict = compare_arrays("forward output", np.zeros((2, 4, 5, 5)), np.zeros((2, 4, 4, 4)), 1e-5, 1e-7,
                             axes=["N", "FN", "OH", "OW"])
    assert not verdict.passed
    assert verdict.message.startswith("forward output: expected shape (N=2, FN=4, OH=5, OW=5), got (2, 4, 4, 4) "
                                      "(OH, OW differ)")
    one = compare_arrays("x", np.zeros((2, 3)), np.zeros((2, 4)), 1e-5, 1e-7, axes=["N", "D"])
    assert "(N=2, D=3)" in one.message and "(D differs)" in one.message
    # names that do not fit the shape are not used
    assert "expected shape (2, 3)" in compare_arrays("x", np.zeros((2, 3)), np.zeros(5), 1e-5, 1e-7, axes=["N"]).message


def test_axes_must_be_a_short_list_of_names():
    import pytest

    from grader.checks import allclose

    for bad in ("N, C", [], ["N", 3], ["a b"], ["x"] * 9):
        with pytest.raises(ValueError):
            allclose.validate({"key": "out", "axes": bad})
    params = {"key": "out"}
    allclose.validate(params)
    assert params["axes"] is None
