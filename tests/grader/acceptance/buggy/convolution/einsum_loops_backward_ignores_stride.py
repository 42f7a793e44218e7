"""Bug: einsum forward is right, but the hand-written backward scatters with step 1 (stride ignored)."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        p, s = self.pad, self.stride
        fh, fw = self.W.shape[2:]
        self.x_shape = x.shape
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        self.win = sliding_window_view(self.xp, (fh, fw), axis=(2, 3))[:, :, ::s, ::s]
        return np.einsum('nchwij,fcij->nfhw', self.win, self.W) + self.b[None, :, None, None]

    def backward(self, dout):
        fh, fw = self.W.shape[2:]
        p = self.pad
        self.dW = np.einsum('nchwij,nfhw->fcij', self.win, dout)
        self.db = dout.sum(axis=(0, 2, 3))
        dxp = np.zeros(self.xp.shape)
        oh, ow = dout.shape[2:]
        for i in range(oh):
            for j in range(ow):
                dxp[:, :, i:i + fh, j:j + fw] += np.einsum('nf,fcij->ncij', dout[:, :, i, j], self.W)
        h, w = self.x_shape[2:]
        return dxp[:, :, p:p + h, p:p + w]
