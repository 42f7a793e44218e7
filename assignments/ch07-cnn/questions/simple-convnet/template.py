from collections import OrderedDict

import numpy as np

from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss


class SimpleConvNet:
    """conv - relu - pool - affine - relu - affine - softmax"""

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        # TODO 1. 하이퍼파라미터 꺼내기 / read the hyperparameters
        # 필터 개수, 필터 크기, 패딩, 스트라이드 / filter count, filter size, padding, stride
        # 입력 이미지의 높이(= 너비) / the input image's height (= width), e.g. 28

        # 합성곱 계층의 출력 크기 / output size of the convolution layer

        # 풀링 계층의 출력 크기 (2x2 풀링, 스트라이드 2) / output size after 2x2 pooling with stride 2

        # TODO 2. 가중치 매개변수 초기화 / initialise the parameters
        # self.params = {}
        # self.params['W1'] = ...  # 합성곱 계층의 가중치 / convolution filters
        # self.params['b1'] = ...  # 합성곱 계층의 편향 / convolution biases
        # self.params['W2'] = ...  # 첫 번째 완전연결 계층의 가중치 / first fully connected layer
        # self.params['b2'] = ...
        # self.params['W3'] = ...  # 두 번째 완전연결 계층의 가중치 / second fully connected layer
        # self.params['b3'] = ...

        # TODO 3. 계층 생성 / build the layers
        # self.layers = OrderedDict()
        # self.layers['Conv1'] = ...
        # self.layers['Relu1'] = ...
        # self.layers['Pool1'] = ...
        # self.layers['Affine1'] = ...
        # self.layers['Relu2'] = ...
        # self.layers['Affine2'] = ...
        # self.last_layer = ...  # 소프트맥스 + 손실 / softmax with loss
        raise NotImplementedError("SimpleConvNet.__init__")

    def predict(self, x):
        # TODO: 모든 계층의 forward 를 차례로 적용 / apply every layer's forward in order
        raise NotImplementedError("SimpleConvNet.predict")

    def loss(self, x, t):
        # TODO: predict 결과와 정답 t 로 손실 계산 / the loss of predict's output against t
        raise NotImplementedError("SimpleConvNet.loss")

    def gradient(self, x, t):
        # TODO:
        # 순전파 / forward pass
        # 역전파: 마지막 계층부터, 계층을 역순으로 / backward: the last layer first, then the layers in reverse
        # 결과 저장: grads['W1'], grads['b1'], ..., grads['b3'] / collect the gradients
        raise NotImplementedError("SimpleConvNet.gradient")
