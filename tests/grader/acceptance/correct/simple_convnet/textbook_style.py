# coding: utf-8
"""Correct: a SimpleConvNet in the book's style, as students bring it from their own copy (star
imports, a sys.path tweak, an OrderedDict of layers, `last_layer`, pickle helpers, a batched
accuracy and a numerical_gradient method). The flattened size uses the book's
int(filter_num * (conv_out/2)**2) formula, which the checks accept for even conv outputs."""
import sys, os
sys.path.append(os.pardir)
import pickle
from collections import OrderedDict

import numpy as np
from common.layers import *
from common.gradient import numerical_gradient


class SimpleConvNet:
    """conv - relu - pool - affine - relu - affine - softmax"""

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        fn, fs = conv_param['filter_num'], conv_param['filter_size']
        pad, stride = conv_param['pad'], conv_param['stride']
        side = input_dim[1]
        conv_out = (side - fs + 2 * pad) / stride + 1
        flat = int(fn * (conv_out / 2) * (conv_out / 2))

        rand = np.random.randn
        self.params = {
            'W1': weight_init_std * rand(fn, input_dim[0], fs, fs), 'b1': np.zeros(fn),
            'W2': weight_init_std * rand(flat, hidden_size), 'b2': np.zeros(hidden_size),
            'W3': weight_init_std * rand(hidden_size, output_size), 'b3': np.zeros(output_size),
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

    def accuracy(self, x, t, batch_size=100):
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        hits = 0.0
        for start in range(0, x.shape[0] - batch_size + 1, batch_size):
            guess = np.argmax(self.predict(x[start:start + batch_size]), axis=1)
            hits += np.sum(guess == t[start:start + batch_size])
        return hits / x.shape[0]

    def numerical_gradient(self, x, t):
        objective = lambda _: self.loss(x, t)
        return {key: numerical_gradient(objective, value) for key, value in self.params.items()}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for index, name in enumerate(('Conv1', 'Affine1', 'Affine2'), start=1):
            grads['W%d' % index] = self.layers[name].dW
            grads['b%d' % index] = self.layers[name].db
        return grads

    def save_params(self, file_name="params.pkl"):
        with open(file_name, 'wb') as f:
            pickle.dump(dict(self.params), f)

    def load_params(self, file_name="params.pkl"):
        with open(file_name, 'rb') as f:
            self.params.update(pickle.load(f))
        for index, name in enumerate(('Conv1', 'Affine1', 'Affine2'), start=1):
            self.layers[name].W = self.params['W%d' % index]
            self.layers[name].b = self.params['b%d' % index]
