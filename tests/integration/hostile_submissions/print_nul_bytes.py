"""NUL bytes on stdout and stderr, at import and in every call (Postgres text refuses NUL)."""
import sys

import numpy as np

print("before\x00after\x00" * 50)
sys.stderr.write("\x00" * 100 + "\n")
sys.stdout.buffer.write(b"raw\x00bytes\x00\n")
sys.stdout.flush()


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W

    def forward(self, x):
        print("forward\x00")
        return np.zeros(1)

    def backward(self, dout):
        print("backward\x00", file=sys.stderr)
        return np.zeros(1)
