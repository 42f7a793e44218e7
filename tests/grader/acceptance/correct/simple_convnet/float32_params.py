"""Correct: the textbook network with every parameter stored as float32."""
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
        pooled = fn * (conv // 2) * (conv // 2)
        self.params = OrderedDict()
        self.params['W1'] = weight_init_std * np.random.randn(fn, input_dim[0], fs, fs)
        self.params['b1'] = np.zeros(fn)
        self.params['W2'] = weight_init_std * np.random.randn(pooled, hidden_size)
        self.params['b2'] = np.zeros(hidden_size)
        self.params['W3'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b3'] = np.zeros(output_size)
        for key in self.params:  # half the memory, as the book suggests for big networks
            self.params[key] = self.params[key].astype(np.float32)
        self.layers = OrderedDict(
            Conv1=Convolution(self.params['W1'], self.params['b1'], stride, pad),
            Relu1=Relu(),
            Pool1=Pooling(2, 2, 2),
            Affine1=Affine(self.params['W2'], self.params['b2']),
            Relu2=Relu(),
            Affine2=Affine(self.params['W3'], self.params['b3']),
        )
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
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for i, name in enumerate(('Conv1', 'Affine1', 'Affine2'), start=1):
            grads['W%d' % i] = self.layers[name].dW
            grads['b%d' % i] = self.layers[name].db
        return grads
