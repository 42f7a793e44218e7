"""All-NaN arrays of the right shapes from forward and backward (the issue's stuck submission)."""
import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, _, FH, FW = self.W.shape
        self.x = x
        out_h = (x.shape[2] + 2 * self.pad - FH) // self.stride + 1
        out_w = (x.shape[3] + 2 * self.pad - FW) // self.stride + 1
        return np.full((x.shape[0], FN, out_h, out_w), np.nan)

    def backward(self, dout):
        self.dW = np.full(self.W.shape, np.nan)
        self.db = np.full(self.b.shape, np.nan)
        return np.full(self.x.shape, np.nan)
