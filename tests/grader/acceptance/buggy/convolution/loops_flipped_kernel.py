"""Bug: a "true" convolution (kernel flipped) instead of the cross-correlation CNNs use;
forward and backward agree with each other, so only the comparison with the reference fails."""
import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, _, h, w = x.shape
        s, p = self.stride, self.pad
        oh, ow = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        self.x_shape = x.shape
        k = self.W[:, :, ::-1, ::-1]
        out = np.zeros((n, fn, oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[:, :, i, j] = np.tensordot(self.xp[:, :, i*s:i*s+fh, j*s:j*s+fw], k, axes=([1, 2, 3], [1, 2, 3]))
        return out + self.b[:, None, None]

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        s, p = self.stride, self.pad
        k = self.W[:, :, ::-1, ::-1]
        dxp = np.zeros_like(self.xp)
        dk = np.zeros_like(k)
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                g = dout[:, :, i, j]
                dk += np.tensordot(g, self.xp[:, :, i*s:i*s+fh, j*s:j*s+fw], axes=(0, 0))
                dxp[:, :, i*s:i*s+fh, j*s:j*s+fw] += np.tensordot(g, k, axes=(1, 0))
        self.dW = dk[:, :, ::-1, ::-1]
        self.db = dout.sum(axis=(0, 2, 3))
        h, w = self.x_shape[2:]
        return dxp[:, :, p:p+h, p:p+w]
