"""Attack: all-NaN and infinite results (and NaN printed), hoping to make the verdict's JSON
carry a bare NaN token."""
import numpy as np

NAMES = ["a", "b"]
print(float("nan"), float("inf"), -float("inf"), "NaN")


def scale(x, k):
    out = np.full_like(x, np.nan)
    out[::2] = np.inf
    return out
