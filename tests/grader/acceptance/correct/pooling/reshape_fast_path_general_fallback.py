"""Correct: reshape-based max pooling when the windows tile the input (stride == window),
sliding_window_view otherwise; backward through a one-hot mask of the first maximum."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.ph, self.pw, self.s, self.pad = pool_h, pool_w, stride, pad

    def _out(self, h, w):
        return (h - self.ph) // self.s + 1, (w - self.pw) // self.s + 1

    def forward(self, x):
        n, c, h, w = x.shape
        oh, ow = self._out(h, w)
        self.x_shape = x.shape
        if self.s == self.ph == self.pw:
            blocks = x[:, :, :oh * self.ph, :ow * self.pw].reshape(n, c, oh, self.ph, ow, self.pw)
            windows = blocks.transpose(0, 1, 2, 4, 3, 5)
        else:
            windows = sliding_window_view(x, (self.ph, self.pw), axis=(2, 3))[:, :, ::self.s, ::self.s]
        flat = windows.reshape(n, c, oh, ow, self.ph * self.pw)
        self.first = flat.argmax(axis=-1)
        return flat.max(axis=-1)

    def backward(self, dout):
        n, c, h, w = self.x_shape
        oh, ow = dout.shape[2:]
        mask = np.zeros((n, c, oh, ow, self.ph * self.pw))
        np.put_along_axis(mask, self.first[..., None], dout[..., None], axis=-1)
        mask = mask.reshape(n, c, oh, ow, self.ph, self.pw)
        dx = np.zeros((n, c, h, w))
        if self.s == self.ph == self.pw:
            dx[:, :, :oh * self.ph, :ow * self.pw] = mask.transpose(0, 1, 2, 4, 3, 5).reshape(
                n, c, oh * self.ph, ow * self.pw)
        else:
            for i in range(self.ph):
                for j in range(self.pw):
                    dx[:, :, i:i + self.s * oh:self.s, j:j + self.s * ow:self.s] += mask[..., i, j]
        return dx
