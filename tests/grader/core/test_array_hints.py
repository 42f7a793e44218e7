"""The one-line hints a failed array comparison adds to its message."""

import numpy as np
import pytest

from grader.checks.arrays import _value_hint

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
