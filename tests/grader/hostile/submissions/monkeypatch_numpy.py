"""Attack: make every comparison succeed by monkeypatching NumPy in the job's process
(np.allclose, np.array_equal, np.testing.*, np.ndarray.__eq__) and return wrong values."""
import numpy as np

np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
try:
    np.ndarray.__eq__ = lambda self, other: True
except TypeError as error:
    print("cannot patch ndarray:", error)
NAMES = ["wrong"]


def scale(x, k):
    return np.zeros_like(x)
