"""Correct: textbook layout with keyword arguments to im2col/col2im, db summed on the 4-D dout,
dW by tensordot, filters kept under another name and no attributes pre-declared."""
import numpy as np

from common.util import col2im, im2col


class Convolution(object):
    def __init__(self, W, b, stride=1, pad=0):
        self.kernel = W
        self.offset = b
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        n_filters, _, kh, kw = self.kernel.shape
        batch, _, height, width = x.shape
        out_h = (height + 2 * self.pad - kh) // self.stride + 1
        out_w = (width + 2 * self.pad - kw) // self.stride + 1
        self.input_shape = x.shape
        self.columns = im2col(x, kh, kw, stride=self.stride, pad=self.pad)
        flat = self.columns @ self.kernel.reshape(n_filters, -1).T + self.offset
        return flat.reshape(batch, out_h, out_w, n_filters).transpose(0, 3, 1, 2)

    def backward(self, dout):
        n_filters, channels, kh, kw = self.kernel.shape
        self.db = dout.sum(axis=(0, 2, 3))
        g = dout.transpose(0, 2, 3, 1).reshape(-1, n_filters)
        self.dW = np.tensordot(g, self.columns, axes=(0, 0)).reshape(n_filters, channels, kh, kw)
        dcol = g @ self.kernel.reshape(n_filters, -1)
        return col2im(dcol, self.input_shape, kh, kw, stride=self.stride, pad=self.pad)
