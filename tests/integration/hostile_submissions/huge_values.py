"""Huge finite values (1e308): any arithmetic on them overflows to inf."""
import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, _, FH, FW = self.W.shape
        self.x = x
        out_h = (x.shape[2] + 2 * self.pad - FH) // self.stride + 1
        out_w = (x.shape[3] + 2 * self.pad - FW) // self.stride + 1
        return np.full((x.shape[0], FN, out_h, out_w), 1e308)

    def backward(self, dout):
        self.dW = np.full(self.W.shape, 1e308)
        self.db = np.full(self.b.shape, 1e308)
        return np.full(self.x.shape, 1e308)
