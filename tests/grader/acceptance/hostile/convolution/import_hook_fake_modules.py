"""Attack: replace builtins.__import__ so that every later import of grader/numpy/common
modules hands back a module whose functions lie; then return garbage of the right shape."""
import builtins
import types

import numpy as np

_real_import = builtins.__import__


class _Anything(types.ModuleType):
    def __getattr__(self, name):
        return lambda *a, **k: np.zeros(1)


def _hooked(name, globals=None, locals=None, fromlist=(), level=0):
    if name.split(".")[0] in {"grader", "common", "json", "pickle", "struct"}:
        return _Anything(name)
    return _real_import(name, globals, locals, fromlist, level)


builtins.__import__ = _hooked


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.stride, self.pad = W, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        self.x = x
        return np.ones((n, fn, (h + 2 * self.pad - fh) // self.stride + 1,
                        (w + 2 * self.pad - fw) // self.stride + 1))

    def backward(self, dout):
        self.dW = np.ones_like(self.W)
        self.db = np.ones(self.W.shape[0])
        return np.ones_like(self.x)
