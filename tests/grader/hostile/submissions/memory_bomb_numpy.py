"""Attack: allocate a 32 GiB NumPy array (np.ones), then a merely too-large one, to take the
host's memory."""
import numpy as np

try:
    huge = np.ones((2**16, 2**16))
except MemoryError as error:
    print("huge refused:", error)
big = np.ones(400 * 2**20 // 8)  # 400 MiB, touched


def scale(x, k):
    return x * k
