"""Attack: return objects that lie: __eq__ always True, __array__ handing back garbage, a str
subclass and a list subclass that claim equality with anything."""
import numpy as np


class Liar:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.array([self], dtype=object)

    def __len__(self):
        return 4


class LyingStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class LyingList(list):
    def __eq__(self, other):
        return True


NAMES = LyingList([LyingStr("z"), LyingStr("y")])


def scale(x, k):
    return Liar()
