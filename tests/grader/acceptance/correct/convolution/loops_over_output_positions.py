"""Correct: self-contained, np.pad and an explicit loop over output positions (no im2col)."""
import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.filters = W
        self.bias = b
        self.stride = stride
        self.pad = pad
        self.dW = None
        self.db = None

    def forward(self, x):
        fn, _, fh, fw = self.filters.shape
        n, _, h, w = x.shape
        s, p = self.stride, self.pad
        oh = (h + 2 * p - fh) // s + 1
        ow = (w + 2 * p - fw) // s + 1
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
        out = np.empty((n, fn, oh, ow))
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, :, i * s:i * s + fh, j * s:j * s + fw]
                out[:, :, i, j] = np.tensordot(patch, self.filters, axes=([1, 2, 3], [1, 2, 3]))
        out += self.bias[None, :, None, None]
        self.cache = (x, xp)
        return out

    def backward(self, dout):
        x, xp = self.cache
        fn, _, fh, fw = self.filters.shape
        s, p = self.stride, self.pad
        _, _, oh, ow = dout.shape
        dxp = np.zeros_like(xp)
        dW = np.zeros_like(self.filters, dtype=float)
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, :, i * s:i * s + fh, j * s:j * s + fw]
                g = dout[:, :, i, j]                     # (N, FN)
                dW += np.tensordot(g, patch, axes=([0], [0]))
                dxp[:, :, i * s:i * s + fh, j * s:j * s + fw] += np.tensordot(g, self.filters, axes=([1], [0]))
        self.dW = dW
        self.db = dout.sum(axis=(0, 2, 3))
        h, w = x.shape[2:]
        return dxp[:, :, p:p + h, p:p + w]
