"""Correct: loops over every window, remembering where each maximum was."""
import numpy as np


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        ph, pw, s = self.pool_h, self.pool_w, self.stride
        oh, ow = (h - ph) // s + 1, (w - pw) // s + 1
        out = np.empty((n, c, oh, ow))
        self.where = {}
        for b in range(n):
            for ch in range(c):
                for i in range(oh):
                    for j in range(ow):
                        window = x[b, ch, i * s:i * s + ph, j * s:j * s + pw]
                        u, v = np.unravel_index(np.argmax(window), window.shape)
                        self.where[b, ch, i, j] = (i * s + u, j * s + v)
                        out[b, ch, i, j] = window[u, v]
        self.shape = x.shape
        return out

    def backward(self, dout):
        dx = np.zeros(self.shape)
        for (b, ch, i, j), (r, q) in self.where.items():
            dx[b, ch, r, q] += dout[b, ch, i, j]
        return dx
