"""Garbage written straight into the grader's result channel (fd 3): not a frame at all, then a
frame header announcing far more than follows, then NaN-laden "JSON"."""
import os

import numpy as np

for blob in (b"\xff" * 4096, b"H\x7f\xff\xff\xff{", b'{"type": "case", "name": NaN, "\x00": Infinity}'):
    try:
        os.write(3, blob)
    except OSError as error:
        print("no channel:", error)


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W

    def forward(self, x):
        return np.zeros(1)

    def backward(self, dout):
        return np.zeros(1)
