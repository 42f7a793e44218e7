"""Attack: results are ndarray subclasses whose Python-level view of themselves lies
(__eq__/__array__/astype/tobytes/__reduce__/shape/dtype overridden), hiding zeros."""
import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    __ne__ = lambda self, other: np.zeros(np.shape(other), dtype=bool)
    __hash__ = None

    def __array__(self, dtype=None, copy=None):
        return np.full(np.ndarray.__getattribute__(self, "shape"), 42.0)

    def astype(self, *args, **kwargs):
        return np.full(np.ndarray.__getattribute__(self, "shape"), 42.0)

    def tobytes(self, *args, **kwargs):
        return b"\x00" * 64

    def __reduce__(self):
        return (print, ("pickled liar ran outside the sandbox",))

    def __float__(self):
        return 0.0

    def __len__(self):
        return 10 ** 9


def liar(shape):
    return np.zeros(shape).view(Liar)


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.stride, self.pad = W, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        self.x = x
        return liar((n, fn, (h + 2 * self.pad - fh) // self.stride + 1,
                     (w + 2 * self.pad - fw) // self.stride + 1))

    def backward(self, dout):
        self.dW = liar(self.W.shape)
        self.db = liar(self.W.shape[:1])
        return liar(self.x.shape)
