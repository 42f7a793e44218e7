"""Correct: layers in a plain list, the loss layer named lastLayer (chapter 5 naming), params
inserted in reverse order, predict/loss taking train_flg, conv_param defaulting to None."""
import numpy as np
from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01):
        cp = {'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}
        cp.update(conv_param or {})
        channels, size = input_dim[0], input_dim[1]
        conv_out = (size + 2 * cp['pad'] - cp['filter_size']) // cp['stride'] + 1
        flat = cp['filter_num'] * (conv_out // 2) ** 2
        rnd = np.random.randn
        self.params = {
            'b3': np.zeros(output_size),
            'W3': weight_init_std * rnd(hidden_size, output_size),
            'b2': np.zeros(hidden_size),
            'W2': weight_init_std * rnd(flat, hidden_size),
            'b1': np.zeros(cp['filter_num']),
            'W1': weight_init_std * rnd(cp['filter_num'], channels, cp['filter_size'], cp['filter_size']),
        }
        p = self.params
        self.conv = Convolution(p['W1'], p['b1'], stride=cp['stride'], pad=cp['pad'])
        self.fc1 = Affine(p['W2'], p['b2'])
        self.fc2 = Affine(p['W3'], p['b3'])
        self.layers = [self.conv, Relu(), Pooling(2, 2, stride=2), self.fc1, Relu(), self.fc2]
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x, train_flg=False):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        return self.lastLayer.forward(self.predict(x, train_flg), t)

    def gradient(self, x, t):
        self.loss(x, t, train_flg=True)
        dout = self.lastLayer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return {
            'W1': self.conv.dW, 'b1': self.conv.db,
            'W2': self.fc1.dW, 'b2': self.fc1.db,
            'W3': self.fc2.dW, 'b3': self.fc2.db,
        }
