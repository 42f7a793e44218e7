"""A correct convolution layer, typed into the browser editor by the end-to-end tests.

Written independently of the question's reference: forward unfolds the input windows with
im2col and multiplies by the flattened filters; backward folds the gradient back with col2im.
"""

import numpy as np
from common.util import col2im, im2col


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x = None
        self.col = None
        self.col_W = None
        self.dW = None
        self.db = None

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        out_h = (H + 2 * self.pad - FH) // self.stride + 1
        out_w = (W + 2 * self.pad - FW) // self.stride + 1

        self.x = x
        self.col = im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(FN, -1).T
        out = np.dot(self.col, self.col_W) + self.b
        return out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        flat = dout.transpose(0, 2, 3, 1).reshape(-1, FN)

        self.db = np.sum(flat, axis=0)
        self.dW = np.dot(self.col.T, flat).T.reshape(FN, C, FH, FW)
        dcol = np.dot(flat, self.col_W.T)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
