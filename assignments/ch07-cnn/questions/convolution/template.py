import numpy as np

from common.util import col2im, im2col


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        # TODO: W(필터), b(편향), stride, pad 를 저장하세요 / store W (filters), b (biases), stride, pad.
        # backward 에서 쓸 중간 데이터 / kept for backward: self.x, self.col, self.col_W
        # 기울기 / gradients: self.dW, self.db
        raise NotImplementedError("Convolution.__init__")

    def forward(self, x):
        # TODO:
        # 1. FN, C, FH, FW = 필터의 형상 / the filters' shape;  N, C, H, W = 입력의 형상 / the input's shape
        # 2. 출력 크기 out_h, out_w 계산 / compute the output size out_h, out_w
        # 3. im2col 로 입력 전개, 필터를 (C*FH*FW, FN) 로 전개 / unfold the input, lay the filters out as columns
        # 4. 행렬 곱 + 편향, (N, FN, out_h, out_w) 로 성형 / matrix product + bias, reshape to (N, FN, out_h, out_w)
        raise NotImplementedError("Convolution.forward")

    def backward(self, dout):
        # TODO: self.db, self.dW 를 구하고 dx 를 반환 / set self.db and self.dW, return dx
        raise NotImplementedError("Convolution.backward")
