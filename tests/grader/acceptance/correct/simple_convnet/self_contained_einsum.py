"""Correct: no common.* at all. Own conv (einsum over sliding windows), own reshape pooling,
own affine and a log-sum-exp softmax loss; layers read the arrays of self.params by key."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        self.fn = conv_param['filter_num']
        self.fs = conv_param['filter_size']
        self.pad = conv_param['pad']
        self.stride = conv_param['stride']
        c, h, _ = input_dim
        self.conv_out = (h + 2 * self.pad - self.fs) // self.stride + 1
        self.pool_out = self.conv_out // 2
        self.params = dict(
            W1=weight_init_std * np.random.randn(self.fn, c, self.fs, self.fs),
            b1=np.zeros(self.fn),
            W2=weight_init_std * np.random.randn(self.fn * self.pool_out ** 2, hidden_size),
            b2=np.zeros(hidden_size),
            W3=weight_init_std * np.random.randn(hidden_size, output_size),
            b3=np.zeros(output_size),
        )

    def _forward(self, x):
        P = self.params
        p, s, k = self.pad, self.stride, self.pool_out
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        win = sliding_window_view(xp, (self.fs, self.fs), axis=(2, 3))[:, :, ::s, ::s]
        z1 = np.einsum('nchwij,fcij->nfhw', win, P['W1']) + P['b1'][:, None, None]
        a1 = np.maximum(z1, 0)
        n = x.shape[0]
        blocks = a1[:, :, :2 * k, :2 * k].reshape(n, self.fn, k, 2, k, 2)
        pooled = blocks.max(axis=(3, 5))
        flat = pooled.reshape(n, -1)
        z2 = flat @ P['W2'] + P['b2']
        a2 = np.maximum(z2, 0)
        z3 = a2 @ P['W3'] + P['b3']
        self.cache = (xp, win, z1, a1, blocks, pooled, flat, z2, a2)
        return z3

    def predict(self, x):
        return self._forward(x)

    @staticmethod
    def _labels(t):
        return t.argmax(axis=1) if t.ndim == 2 else t

    def loss(self, x, t):
        z = self._forward(x)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        self.probs = np.exp(logp)
        labels = self._labels(t)
        return -logp[np.arange(len(labels)), labels].mean()

    def gradient(self, x, t):
        self.loss(x, t)
        P = self.params
        xp, win, z1, a1, blocks, pooled, flat, z2, a2 = self.cache
        labels = self._labels(t)
        n = x.shape[0]
        dz3 = self.probs.copy()
        dz3[np.arange(n), labels] -= 1
        dz3 /= n
        g = {'W3': a2.T @ dz3, 'b3': dz3.sum(0)}
        dz2 = (dz3 @ P['W3'].T) * (z2 > 0)
        g['W2'], g['b2'] = flat.T @ dz2, dz2.sum(0)
        dpooled = (dz2 @ P['W2'].T).reshape(pooled.shape)
        k = self.pool_out
        # route to the first maximum of each 2x2 block
        b = blocks.transpose(0, 1, 2, 4, 3, 5).reshape(n, self.fn, k, k, 4)
        onehot = np.zeros_like(b)
        np.put_along_axis(onehot, b.argmax(-1)[..., None], 1.0, axis=-1)
        dblocks = (onehot * dpooled[..., None]).reshape(n, self.fn, k, k, 2, 2).transpose(0, 1, 2, 4, 3, 5)
        da1 = np.zeros_like(a1)
        da1[:, :, :2 * k, :2 * k] = dblocks.reshape(n, self.fn, 2 * k, 2 * k)
        dz1 = da1 * (z1 > 0)
        g['W1'] = np.einsum('nchwij,nfhw->fcij', win, dz1)
        g['b1'] = dz1.sum(axis=(0, 2, 3))
        return g
