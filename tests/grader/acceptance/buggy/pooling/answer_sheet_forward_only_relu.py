"""Bug: the answer sheet's forward (correct) plus a backward that treats pooling like ReLU:
the gradient goes to every positive input instead of each window's maximum."""
import numpy as np
from common.util import im2col


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = (H - self.pool_h) // self.stride + 1
        out_w = (W - self.pool_w) // self.stride + 1
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
        self.x = x
        return out

    def backward(self, dout):
        N, C, H, W = self.x.shape
        up = np.zeros_like(self.x)
        oh, ow = dout.shape[2:]
        up[:, :, :oh, :ow] = dout
        return up * (self.x > 0)
