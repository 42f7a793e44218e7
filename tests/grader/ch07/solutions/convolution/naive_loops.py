"""Correct: the definition, one output value at a time (slow but clear)."""
import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        s, p = self.stride, self.pad
        OH = (H + 2 * p - FH) // s + 1
        OW = (W + 2 * p - FW) // s + 1
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        self.x_shape = x.shape
        out = np.zeros((N, FN, OH, OW))
        for n in range(N):
            for f in range(FN):
                for i in range(OH):
                    for j in range(OW):
                        patch = self.xp[n, :, i * s:i * s + FH, j * s:j * s + FW]
                        out[n, f, i, j] = np.sum(patch * self.W[f]) + self.b[f]
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = self.x_shape
        s, p = self.stride, self.pad
        dxp = np.zeros_like(self.xp)
        self.dW = np.zeros_like(self.W, dtype=float)
        self.db = dout.sum(axis=(0, 2, 3))
        for n in range(N):
            for f in range(FN):
                for i in range(dout.shape[2]):
                    for j in range(dout.shape[3]):
                        g = dout[n, f, i, j]
                        self.dW[f] += g * self.xp[n, :, i * s:i * s + FH, j * s:j * s + FW]
                        dxp[n, :, i * s:i * s + FH, j * s:j * s + FW] += g * self.W[f]
        return dxp[:, :, p:p + H, p:p + W]
