"""Correct: the textbook's SimpleConvNet (including its int(... / 2) pooled-size formula, which is
exact whenever the convolution output size is even, as in every check)."""
import os
import pickle
import sys

sys.path.append(os.pardir)  # the book's scripts start like this; harmless here
from collections import OrderedDict  # noqa: E402

import numpy as np  # noqa: E402
from common.gradient import numerical_gradient  # noqa: E402
from common.layers import *  # noqa: E402, F403 (the textbook's own style)


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},  # noqa: B006
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        filter_num = conv_param['filter_num']
        filter_size = conv_param['filter_size']
        filter_pad = conv_param['pad']
        filter_stride = conv_param['stride']
        input_size = input_dim[1]
        conv_output_size = (input_size - filter_size + 2 * filter_pad) / filter_stride + 1
        pool_output_size = int(filter_num * (conv_output_size / 2) * (conv_output_size / 2))

        self.params = {}
        self.params['W1'] = weight_init_std * \
            np.random.randn(filter_num, input_dim[0], filter_size, filter_size)
        self.params['b1'] = np.zeros(filter_num)
        self.params['W2'] = weight_init_std * np.random.randn(pool_output_size, hidden_size)
        self.params['b2'] = np.zeros(hidden_size)
        self.params['W3'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b3'] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers['Conv1'] = Convolution(self.params['W1'], self.params['b1'],  # noqa: F405
                                           conv_param['stride'], conv_param['pad'])
        self.layers['Relu1'] = Relu()  # noqa: F405
        self.layers['Pool1'] = Pooling(pool_h=2, pool_w=2, stride=2)  # noqa: F405
        self.layers['Affine1'] = Affine(self.params['W2'], self.params['b2'])  # noqa: F405
        self.layers['Relu2'] = Relu()  # noqa: F405
        self.layers['Affine2'] = Affine(self.params['W3'], self.params['b3'])  # noqa: F405

        self.last_layer = SoftmaxWithLoss()  # noqa: F405

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.last_layer.forward(y, t)

    def numerical_gradient(self, x, t):
        def loss_w(w):
            return self.loss(x, t)

        grads = {}
        for idx in (1, 2, 3):
            grads['W' + str(idx)] = numerical_gradient(loss_w, self.params['W' + str(idx)])
            grads['b' + str(idx)] = numerical_gradient(loss_w, self.params['b' + str(idx)])
        return grads

    def gradient(self, x, t):
        self.loss(x, t)

        dout = 1
        dout = self.last_layer.backward(dout)

        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        grads['W1'], grads['b1'] = self.layers['Conv1'].dW, self.layers['Conv1'].db
        grads['W2'], grads['b2'] = self.layers['Affine1'].dW, self.layers['Affine1'].db
        grads['W3'], grads['b3'] = self.layers['Affine2'].dW, self.layers['Affine2'].db
        return grads

    def save_params(self, file_name="params.pkl"):
        params = {key: val for key, val in self.params.items()}
        with open(file_name, 'wb') as f:
            pickle.dump(params, f)
