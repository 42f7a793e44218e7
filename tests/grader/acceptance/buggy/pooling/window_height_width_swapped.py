"""Bug: pool_w is used for the height and pool_h for the width (invisible with square windows)."""
import numpy as np
from common.util import col2im, im2col


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        ph, pw = self.pool_w, self.pool_h
        out_h = (H - ph) // self.stride + 1
        out_w = (W - pw) // self.stride + 1
        col = im2col(x, ph, pw, self.stride, self.pad).reshape(-1, ph * pw)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        ph, pw = self.pool_w, self.pool_h
        dout = dout.transpose(0, 2, 3, 1)
        dmax = np.zeros((dout.size, ph * pw))
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.flatten()
        dcol = dmax.reshape(-1, self.x.shape[1] * ph * pw)
        return col2im(dcol, self.x.shape, ph, pw, self.stride, self.pad)
