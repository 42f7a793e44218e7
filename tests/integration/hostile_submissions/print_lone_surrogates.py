"""Lone surrogates in the output: raw UTF-8-encoded surrogate bytes (not valid UTF-8), a lone
surrogate encoded with surrogatepass, one printed on stderr, and undecodable bytes."""
import sys

import numpy as np

sys.stdout.buffer.write(b"\xed\xa0\x80 \xed\xbf\xbf \xff\xfe\n")
sys.stdout.flush()
print("\ud800", file=sys.stderr)
sys.stderr.flush()
sys.stdout.buffer.write("pass \udfff through\n".encode("utf-8", "surrogatepass"))
sys.stdout.buffer.write("escape \udcff through\n".encode("utf-8", "surrogateescape"))
sys.stdout.flush()


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W

    def forward(self, x):
        print("forward \ud83d alone")
        return np.zeros(1)

    def backward(self, dout):
        return np.zeros(1)
