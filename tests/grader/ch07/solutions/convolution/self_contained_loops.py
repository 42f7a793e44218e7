"""Correct: no textbook imports; the student writes im2col / col2im with explicit loops."""
import numpy as np


def my_im2col(x, fh, fw, stride, pad):
    n, c, h, w = x.shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    rows = []
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                rows.append(xp[b, :, i * stride:i * stride + fh, j * stride:j * stride + fw].ravel())
    return np.array(rows)


def my_col2im(col, shape, fh, fw, stride, pad):
    n, c, h, w = shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    row = 0
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                xp[b, :, i * stride:i * stride + fh, j * stride:j * stride + fw] += col[row].reshape(c, fh, fw)
                row += 1
    return xp[:, :, pad:pad + h, pad:pad + w]


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.dW = self.db = None

    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh = (h + 2 * self.pad - fh) // self.stride + 1
        ow = (w + 2 * self.pad - fw) // self.stride + 1
        self.x = x
        self.col = my_im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        flat = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = flat.sum(axis=0)
        self.dW = (flat.T @ self.col).reshape(fn, c, fh, fw)
        return my_col2im(flat @ self.col_W.T, self.x.shape, fh, fw, self.stride, self.pad)
