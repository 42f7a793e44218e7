"""Bug: The student's own col2im folds windows back with = instead of +=."""
import numpy as np
from common.util import im2col


def my_col2im(col, shape, fh, fw, stride):
    n, c, h, w = shape
    oh = (h - fh) // stride + 1
    ow = (w - fw) // stride + 1
    cols = col.reshape(n, oh, ow, c, fh, fw)
    img = np.zeros(shape)
    for i in range(oh):
        for j in range(ow):
            img[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw] = cols[:, i, j]
    return img


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
        col = im2col(x, self.pool_h, self.pool_w, self.stride).reshape(-1, self.pool_h * self.pool_w)
        self.x = x
        self.arg_max = col.argmax(axis=1)
        return col.max(axis=1).reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        flat = dout.transpose(0, 2, 3, 1).reshape(-1)
        dmax = np.zeros((flat.size, self.pool_h * self.pool_w))
        dmax[np.arange(flat.size), self.arg_max] = flat
        dcol = dmax.reshape(-1, self.x.shape[1] * self.pool_h * self.pool_w)
        return my_col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride)
