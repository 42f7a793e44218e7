"""Every call raises an exception whose message holds lone surrogates and NUL bytes."""


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W

    def forward(self, x):
        raise ValueError("forward \ud800\x00 failed " + "\udcff" * 1000)

    def backward(self, dout):
        raise KeyError("\x00\udfff")
