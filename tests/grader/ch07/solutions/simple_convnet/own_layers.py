"""Correct: no textbook imports at all; the student brings compact layers of their own."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


class Conv:
    def __init__(self, W, b, stride, pad):
        self.W, self.b, self.s, self.p = W, b, stride, pad

    def forward(self, x):
        p, s = self.p, self.s
        fh, fw = self.W.shape[2:]
        self.x_shape = x.shape
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        self.win = sliding_window_view(xp, (fh, fw), axis=(2, 3))[:, :, ::s, ::s]
        return np.einsum("ncijuv,fcuv->nfij", self.win, self.W) + self.b[:, None, None]

    def backward(self, dout):
        p, s = self.p, self.s
        fh, fw = self.W.shape[2:]
        n, c, h, w = self.x_shape
        oh, ow = dout.shape[2:]
        self.dW = np.einsum("ncijuv,nfij->fcuv", self.win, dout)
        self.db = dout.sum(axis=(0, 2, 3))
        dxp = np.zeros((n, c, h + 2 * p, w + 2 * p))
        for u in range(fh):
            for v in range(fw):
                dxp[:, :, u:u + s * oh:s, v:v + s * ow:s] += np.einsum("nfij,fc->ncij", dout, self.W[:, :, u, v])
        return dxp[:, :, p:p + h, p:p + w]


class MaxPool2:
    def forward(self, x):
        n, c, h, w = x.shape
        oh, ow = h // 2, w // 2
        blocks = x[:, :, :oh * 2, :ow * 2].reshape(n, c, oh, 2, ow, 2)
        out = blocks.max(axis=(3, 5))
        self.mask = blocks == out[:, :, :, None, :, None]
        self.x_shape = x.shape
        return out

    def backward(self, dout):
        n, c, oh, ow = dout.shape
        dx = np.zeros(self.x_shape)
        dx[:, :, :oh * 2, :ow * 2] = (self.mask * dout[:, :, :, None, :, None]).reshape(n, c, oh * 2, ow * 2)
        return dx


class ReLU:
    def forward(self, x):
        self.on = x > 0
        return x * self.on

    def backward(self, dout):
        return dout * self.on


class Dense:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(len(x), -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


class SoftmaxCrossEntropy:
    def forward(self, scores, t):
        shifted = scores - scores.max(axis=1, keepdims=True)
        self.y = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        self.t = t if t.ndim == 2 else np.eye(scores.shape[1])[t]
        return -np.mean(np.log(np.sum(self.y * self.t, axis=1) + 1e-7))

    def backward(self, dout=1):
        return dout * (self.y - self.t) / len(self.y)


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01):
        cp = conv_param or {'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}
        fn, fs = cp['filter_num'], cp['filter_size']
        conv = (input_dim[1] + 2 * cp['pad'] - fs) // cp['stride'] + 1
        flat = fn * (conv // 2) ** 2
        rnd = np.random.randn
        self.params = {
            'W1': weight_init_std * rnd(fn, input_dim[0], fs, fs), 'b1': np.zeros(fn),
            'W2': weight_init_std * rnd(flat, hidden_size), 'b2': np.zeros(hidden_size),
            'W3': weight_init_std * rnd(hidden_size, output_size), 'b3': np.zeros(output_size),
        }
        P = self.params
        self.conv = Conv(P['W1'], P['b1'], cp['stride'], cp['pad'])
        self.fc1 = Dense(P['W2'], P['b2'])
        self.fc2 = Dense(P['W3'], P['b3'])
        self.stack = [self.conv, ReLU(), MaxPool2(), self.fc1, ReLU(), self.fc2]
        self.head = SoftmaxCrossEntropy()

    def predict(self, x):
        for layer in self.stack:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.head.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        d = self.head.backward()
        for layer in reversed(self.stack):
            d = layer.backward(d)
        return {'W1': self.conv.dW, 'b1': self.conv.db, 'W2': self.fc1.dW, 'b2': self.fc1.db,
                'W3': self.fc2.dW, 'b3': self.fc2.db}
