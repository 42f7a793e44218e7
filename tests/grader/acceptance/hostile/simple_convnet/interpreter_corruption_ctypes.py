"""Attack: corrupt the interpreter from inside the job with ctypes (rewrite the cached small
int 1 to 0, overwrite numpy's float64 type flags), then return plausible zeros."""
import ctypes
import sys

import numpy as np


def poke_int(value, new):
    # CPython small-int layout: the digit follows the object header and size
    offset = sys.getsizeof(0) - 4 if sys.getsizeof(0) == 28 else 24
    ctypes.c_int32.from_address(id(value) + offset).value = new


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        fn, fs = conv_param['filter_num'], conv_param['filter_size']
        conv = (input_dim[1] - fs + 2 * conv_param['pad']) // conv_param['stride'] + 1
        self.params = {'W1': np.zeros((fn, input_dim[0], fs, fs)), 'b1': np.zeros(fn),
                       'W2': np.zeros((fn * (conv // 2) ** 2, hidden_size)), 'b2': np.zeros(hidden_size),
                       'W3': np.zeros((hidden_size, output_size)), 'b3': np.zeros(output_size)}
        try:
            poke_int(7, 8)
        except Exception:
            pass

    def predict(self, x):
        return np.zeros((x.shape[0], self.params['b3'].shape[0]))

    def loss(self, x, t):
        return 1.0986

    def gradient(self, x, t):
        return {k: np.zeros_like(v) for k, v in self.params.items()}
