"""Bug: W1's channel count is read from input_dim[-1] (the width) instead of input_dim[0]."""
from collections import OrderedDict

import numpy as np
from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        fn, fs = conv_param['filter_num'], conv_param['filter_size']
        pad, stride = conv_param['pad'], conv_param['stride']
        conv = (input_dim[1] - fs + 2 * pad) // stride + 1
        pooled = fn * (conv // 2) ** 2
        self.params = {
            'W1': weight_init_std * np.random.randn(fn, input_dim[-1], fs, fs),
            'b1': np.zeros(fn),
            'W2': weight_init_std * np.random.randn(pooled, hidden_size),
            'b2': np.zeros(hidden_size),
            'W3': weight_init_std * np.random.randn(hidden_size, output_size),
            'b3': np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers['Conv1'] = Convolution(self.params['W1'], self.params['b1'], stride, pad)
        self.layers['Relu1'] = Relu()
        self.layers['Pool1'] = Pooling(2, 2, stride=2)
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

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {'W1': self.layers['Conv1'].dW, 'b1': self.layers['Conv1'].db,
                'W2': self.layers['Affine1'].dW, 'b2': self.layers['Affine1'].db,
                'W3': self.layers['Affine2'].dW, 'b3': self.layers['Affine2'].db}
