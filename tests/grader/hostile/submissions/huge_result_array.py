"""Attack: return a result array far larger than the result caps (a 400 MB array made from a
broadcast view, then a 40 MB one) to exhaust the grader's memory."""
import numpy as np


def scale(x, k):
    if x.size == 4:
        return np.broadcast_to(np.float64(k), (50 * 2**20,))
    return np.ones(5 * 2**20)
