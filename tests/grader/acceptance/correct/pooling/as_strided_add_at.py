"""Correct: as_strided windows, argmax over each flattened window, np.add.at into dx."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        x = np.ascontiguousarray(x, dtype=np.float64)
        N, C, H, W = x.shape
        OH = (H - self.pool_h) // self.stride + 1
        OW = (W - self.pool_w) // self.stride + 1
        s0, s1, s2, s3 = x.strides
        win = as_strided(x, (N, C, OH, OW, self.pool_h, self.pool_w),
                         (s0, s1, s2 * self.stride, s3 * self.stride, s2, s3))
        win = win.reshape(N, C, OH, OW, -1)
        self.idx = np.argmax(win, axis=4)
        self.shape = x.shape
        return np.take_along_axis(win, self.idx[..., None], axis=4)[..., 0]

    def backward(self, dout):
        N, C, OH, OW = dout.shape
        rows = self.idx // self.pool_w + np.arange(OH)[:, None] * self.stride
        cols = self.idx % self.pool_w + np.arange(OW)[None, :] * self.stride
        n = np.arange(N)[:, None, None, None]
        c = np.arange(C)[None, :, None, None]
        dx = np.zeros(self.shape)
        np.add.at(dx, (np.broadcast_to(n, rows.shape), np.broadcast_to(c, rows.shape), rows, cols), dout)
        return dx
