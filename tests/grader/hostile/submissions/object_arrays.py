"""Attack: return object arrays (that would unpickle or call code in the grader when loaded) and
a structured dtype instead of plain numbers."""
import numpy as np


class Payload:
    def __reduce__(self):
        return (print, ("payload executed in the grader",))


NAMES = np.array([Payload(), "a"], dtype=object)


def scale(x, k):
    if x.size == 3:
        return np.zeros(3, dtype=[("a", "f8"), ("b", "O")])
    return np.array([Payload()] * x.size, dtype=object)
