"""Convolution-layer code for the similarity tests: the question's starter template, a solution,
the same solution disguised (renamed, reformatted, constants and comments changed), and an
independent solution written with explicit loops."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = (ROOT / "assignments" / "ch07-cnn" / "questions" / "convolution" / "template.py").read_text(encoding="utf-8")

SOLUTION = '''import numpy as np
from common.util import col2im, im2col


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        out_h = (H + 2 * self.pad - FH) // self.stride + 1
        out_w = (W + 2 * self.pad - FW) // self.stride + 1
        self.x = x
        self.col = im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(FN, -1).T
        out = np.dot(self.col, self.col_W) + self.b
        return out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        flat = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(flat, axis=0)
        self.dW = np.dot(self.col.T, flat).T.reshape(FN, C, FH, FW)
        dcol = np.dot(flat, self.col_W.T)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
'''

RENAMES = {"out_h": "rows", "out_w": "cols_out", "flat": "grad2d", "dcol": "unfolded_grad",
           "col_W": "kernel_matrix", "col": "patches", "FN": "n_filt", "FH": "kh", "FW": "kw", "dout": "g"}


def renamed(code: str) -> str:
    for old, new in RENAMES.items():
        code = re.sub(rf"\b{old}\b", new, code)
    return code


def disguised(code: str) -> str:
    code = renamed(code)
    code = code.replace("2 * self.pad", "self.pad*2").replace("axis=0)", "axis=0)  # sum over the batch")
    return "# my own work!\n" + code.replace("    def backward", "\n    # gradients\n    def backward")


INDEPENDENT = '''import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        f, _, fh, fw = self.W.shape
        s, p = self.stride, self.pad
        self.padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        oh, ow = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
        out = np.zeros((n, f, oh, ow))
        for i in range(oh):
            for j in range(ow):
                window = self.padded[:, :, i * s:i * s + fh, j * s:j * s + fw]
                out[:, :, i, j] = np.tensordot(window, self.W, axes=([1, 2, 3], [1, 2, 3]))
        return out + self.b[None, :, None, None]

    def backward(self, dout):
        s, p = self.stride, self.pad
        _, _, fh, fw = self.W.shape
        dpad = np.zeros_like(self.padded)
        self.dW = np.zeros_like(self.W)
        self.db = dout.sum(axis=(0, 2, 3))
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                window = self.padded[:, :, i * s:i * s + fh, j * s:j * s + fw]
                self.dW += np.tensordot(dout[:, :, i, j], window, axes=([0], [0]))
                dpad[:, :, i * s:i * s + fh, j * s:j * s + fw] += np.tensordot(dout[:, :, i, j], self.W, axes=([1], [0]))
        return dpad[:, :, p:dpad.shape[2] - p, p:dpad.shape[3] - p]
'''
