"""Attack: finite differences of the forward, vectorised as far as pooling allows: channels and
samples are independent, so every perturbed copy of one channel goes into one large batch and a
single forward call differentiates many input values at once."""
import numpy as np
from common.util import im2col

STEP = 1 / 32
CHUNK = 64  # perturbed copies per forward call (memory stays well under the limit)


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
        N, C, H, W = x.shape
        dx = np.zeros_like(x)
        for n in range(N):
            for c in range(C):
                plane, weight = x[n, c], dout[n, c]
                for start in range(0, plane.size, CHUNK):
                    idx = np.arange(start, min(start + CHUNK, plane.size))
                    batch = np.repeat(plane[None, None], 2 * len(idx), axis=0)
                    flat = batch.reshape(2 * len(idx), -1)
                    flat[np.arange(len(idx)), idx] += STEP
                    flat[len(idx) + np.arange(len(idx)), idx] -= STEP
                    values = np.sum(self._forward(batch)[:, 0] * weight, axis=(1, 2))
                    dx[n, c].reshape(-1)[idx] = (values[:len(idx)] - values[len(idx):]) / (2 * STEP)
        return dx
