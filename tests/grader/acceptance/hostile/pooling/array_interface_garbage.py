"""Attack: results implement __array_interface__ pointing at arbitrary memory, and
__array__ methods that raise or return objects; plus a SystemExit from inside backward."""
import numpy as np


class Raw:
    def __init__(self, shape):
        self.__array_interface__ = {"shape": shape, "typestr": "<f8", "version": 3,
                                    "data": (0x10, False)}


class Raises:
    def __array__(self, dtype=None, copy=None):
        raise SystemExit(0)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride = pool_h, pool_w, stride

    def forward(self, x):
        n, c, h, w = x.shape
        self.x = x
        return Raw((n, c, (h - self.pool_h) // self.stride + 1, (w - self.pool_w) // self.stride + 1))

    def backward(self, dout):
        return Raises()
