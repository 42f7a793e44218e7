"""Correct: textbook layers kept in a plain list, gradients collected by walking the list."""
import numpy as np
from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01):
        conv_param = conv_param or {'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}
        C, H, _ = input_dim
        FN, F = conv_param['filter_num'], conv_param['filter_size']
        S, P = conv_param['stride'], conv_param['pad']
        conv_size = (H + 2 * P - F) // S + 1
        pool_size = conv_size // 2
        std = weight_init_std
        self.params = {}
        self.params['W1'] = std * np.random.randn(FN, C, F, F)
        self.params['b1'] = np.zeros(FN)
        self.params['W2'] = std * np.random.randn(FN * pool_size * pool_size, hidden_size)
        self.params['b2'] = np.zeros(hidden_size)
        self.params['W3'] = std * np.random.randn(hidden_size, output_size)
        self.params['b3'] = np.zeros(output_size)
        p = self.params
        self.layers = [
            Convolution(p['W1'], p['b1'], stride=S, pad=P), Relu(), Pooling(2, 2, stride=2),
            Affine(p['W2'], p['b2']), Relu(), Affine(p['W3'], p['b3']),
        ]
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        out = x
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in self.layers[::-1]:
            dout = layer.backward(dout)
        with_params = [layer for layer in self.layers if hasattr(layer, 'dW')]
        grads = {}
        for number, layer in enumerate(with_params, start=1):
            grads[f'W{number}'] = layer.dW
            grads[f'b{number}'] = layer.db
        return grads
