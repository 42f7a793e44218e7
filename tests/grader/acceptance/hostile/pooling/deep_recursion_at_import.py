"""Attack: lift the recursion limit and recurse until the C stack overflows (segfault) at import."""
import sys

sys.setrecursionlimit(10 ** 8)


def down(n):
    return down(n + 1) + 1


down(0)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        pass
