"""The textbook's convolution and pooling layers (chapter 7), built on ``im2col``/``col2im``.

When a question offers them, this file runs inside ``common.layers``, so student code imports
``from common.layers import Convolution, Pooling`` exactly as in the book. The questions that ask
students to write these layers never offer this file.
"""

import numpy as np
from common.util import col2im, conv_output_size, im2col


class Convolution:
    """2-D convolution (cross-correlation, as in every deep-learning library).

    W: filters of shape (FN, C, FH, FW); b: biases of shape (FN,).
    ``forward`` maps (N, C, H, W) to (N, FN, out_h, out_w) with
    ``out_h = (H + 2*pad - FH) // stride + 1`` (and the same for the width).
    """

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        # kept by forward for backward, under the textbook's names
        self.x = None
        self.col = None  # the unfolded input, one window per row
        self.col_W = None  # the filters as columns, shape (C*FH*FW, FN)
        self.dW = None
        self.db = None

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        out_h = conv_output_size(H, FH, self.stride, self.pad)
        out_w = conv_output_size(W, FW, self.stride, self.pad)
        self.x = x
        self.col = im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(FN, -1).T
        out = np.dot(self.col, self.col_W) + self.b  # (N*out_h*out_w, FN)
        return out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)  # one window per row, like col
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).T.reshape(FN, C, FH, FW)
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


class Pooling:
    """Max pooling over ``pool_h`` x ``pool_w`` windows, each channel on its own.

    ``arg_max`` remembers which element of each window was the largest, so that ``backward``
    sends each window's gradient to that element only.
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = conv_output_size(H, self.pool_h, self.stride, self.pad)
        out_w = conv_output_size(W, self.pool_w, self.stride, self.pad)
        # one window of one channel per row
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.x = x
        self.arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        pool_size = self.pool_h * self.pool_w
        dout = dout.transpose(0, 2, 3, 1)  # the same (n, i, j, c) order as the rows of col
        dmax = np.zeros((dout.size, pool_size), dtype=np.result_type(dout, np.float64))
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.reshape(-1)
        dcol = dmax.reshape(-1, self.x.shape[1] * pool_size)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
