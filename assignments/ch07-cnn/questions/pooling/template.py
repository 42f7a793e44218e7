import numpy as np

from common.util import col2im, im2col


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        # TODO: pool_h, pool_w, stride, pad 를 저장하세요 / store pool_h, pool_w, stride, pad.
        # backward 에서 쓸 데이터 / kept for backward: self.x, self.arg_max
        raise NotImplementedError("Pooling.__init__")

    def forward(self, x):
        # TODO:
        # 전개 / unfold (im2col, 그리고 한 행 = 한 채널의 풀링 영역 / one row = one window of one channel)

        # 최댓값 / maximum of each row (argmax 도 저장 / remember the argmax)

        # 성형 / reshape to (N, C, out_h, out_w)
        raise NotImplementedError("Pooling.forward")

    def backward(self, dout):
        # TODO: 최댓값 위치에만 dout 을 보내고 col2im 으로 접으세요
        #       send dout to the position of each maximum only, then fold back with col2im
        raise NotImplementedError("Pooling.backward")
