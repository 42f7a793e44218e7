"""Attack: a right SimpleConvNet whose gradient() returns its numerical_gradient() (central
differences of its own loss, parameter by parameter) instead of backpropagating."""
from collections import OrderedDict

import numpy as np
from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss

STEP = 1e-6


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},  # noqa: B006 (the textbook's signature)
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        fn, fs = conv_param['filter_num'], conv_param['filter_size']
        pad, stride = conv_param['pad'], conv_param['stride']
        conv = (input_dim[1] + 2 * pad - fs) // stride + 1
        pooled = fn * (conv // 2) * (conv // 2)
        self.params = {
            'W1': weight_init_std * np.random.randn(fn, input_dim[0], fs, fs), 'b1': np.zeros(fn),
            'W2': weight_init_std * np.random.randn(pooled, hidden_size), 'b2': np.zeros(hidden_size),
            'W3': weight_init_std * np.random.randn(hidden_size, output_size), 'b3': np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers['Conv1'] = Convolution(self.params['W1'], self.params['b1'], stride, pad)
        self.layers['Relu1'] = Relu()
        self.layers['Pool1'] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers['Affine1'] = Affine(self.params['W2'], self.params['b2'])
        self.layers['Relu2'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W3'], self.params['b3'])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def numerical_gradient(self, x, t):
        grads = {}
        for key, array in self.params.items():
            grad = np.zeros_like(array)
            for index in np.ndindex(*array.shape):
                saved = array[index]
                array[index] = saved + STEP
                plus = self.loss(x, t)
                array[index] = saved - STEP
                grad[index] = (plus - self.loss(x, t)) / (2 * STEP)
                array[index] = saved
            grads[key] = grad
        return grads

    def gradient(self, x, t):
        return self.numerical_gradient(x, t)
