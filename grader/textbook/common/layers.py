"""The textbook's layers with forward/backward passes (chapters 5-6), written for this course.

Every layer remembers what its backward pass needs during ``forward``; ``backward(dout)`` takes the
gradient of the loss with respect to the layer's output and returns the gradient with respect to its
input. Layers with parameters store their parameter gradients as attributes (``dW``, ``db``, ...).
The convolution and pooling layers live in ``layers_conv.py`` and join this module when a question
offers them.
"""

# The book's layers.py starts with `from common.functions import *` and
# `from common.util import im2col, col2im`, so code written against the book gets all of them
# from `from common.layers import *`; students' files rely on that.
import contextlib

import numpy as np
from common.functions import *  # noqa: F403
from common.functions import cross_entropy_error, sigmoid, softmax

with contextlib.suppress(ImportError):  # a question that does not offer common.util
    from common.util import col2im, im2col  # noqa: F401


class Relu:
    """``max(0, x)``; the gradient passes only where the input was positive."""

    def __init__(self):
        self.mask = None  # True where the input was <= 0

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    """The logistic function; its derivative is ``out * (1 - out)``."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1.0 - self.out)


class Affine:
    """Fully connected layer ``x @ W + b``.

    A 4-D input (a batch of feature maps coming out of a convolution) is flattened to one row per
    sample; ``backward`` returns ``dx`` in the original shape (kept in ``original_x_shape``).
    """

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None  # the flattened input
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss; the usual last layer of a classifier.

    ``t`` may hold one-hot rows or class indices. The backward pass is the famous
    ``(y - t) / batch_size``.
    """

    def __init__(self):
        self.loss = None
        self.y = None  # softmax output
        self.t = None  # targets as given

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # one-hot targets
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
        return dout * dx / batch_size


class Dropout:
    """Randomly silences a fraction ``dropout_ratio`` of the units while training.

    At test time (``train_flg=False``) every unit is kept and scaled by ``1 - dropout_ratio``, so
    the expected activation matches training.
    """

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization:
    """Batch normalisation over the batch axis (per feature; 4-D input is flattened per sample).

    ``gamma`` and ``beta`` scale and shift the normalised values; running averages of the mean and
    variance (``momentum``) are used at test time (``train_flg=False``).
    """

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size = None
        self.xc = None  # input minus the batch mean
        self.std = None
        self.xn = None  # the normalised input
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        flat = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(flat.shape[1])
            self.running_var = np.zeros(flat.shape[1])
        if train_flg:
            mean = flat.mean(axis=0)
            self.xc = flat - mean
            var = np.mean(self.xc**2, axis=0)
            self.std = np.sqrt(var + 1e-7)
            self.xn = self.xc / self.std
            self.batch_size = flat.shape[0]
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            normalised = self.xn
        else:
            normalised = (flat - self.running_mean) / np.sqrt(self.running_var + 1e-7)
        return (self.gamma * normalised + self.beta).reshape(self.input_shape)

    def backward(self, dout):
        dout = dout.reshape(dout.shape[0], -1)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        # the textbook's step-by-step chain rule through xn = xc / std, std = sqrt(mean(xc^2))
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size
        return dx.reshape(self.input_shape)
