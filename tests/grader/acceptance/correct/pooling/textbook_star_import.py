# coding: utf-8
"""Correct: a Pooling layer written the way the book's common/layers.py writes it, relying on
`from common.layers import *` to bring im2col/col2im along (the book's layers module imports them)."""
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.layers import *


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w = pool_h, pool_w
        self.stride, self.pad = stride, pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        n, c, h, w = x.shape
        out_h = (h + 2 * self.pad - self.pool_h) // self.stride + 1
        out_w = (w + 2 * self.pad - self.pool_w) // self.stride + 1
        # one row per (sample, position, channel) window
        windows = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad).reshape(-1, self.pool_h * self.pool_w)
        self.arg_max = windows.argmax(axis=1)
        self.x = x
        pooled = windows.max(axis=1)
        return pooled.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        grad = dout.transpose(0, 2, 3, 1)
        window = self.pool_h * self.pool_w
        routed = np.zeros((grad.size, window))
        routed[np.arange(self.arg_max.size), self.arg_max.ravel()] = grad.ravel()
        rows = routed.reshape(grad.shape[0] * grad.shape[1] * grad.shape[2], -1)
        return col2im(rows, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
