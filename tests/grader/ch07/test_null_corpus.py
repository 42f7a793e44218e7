"""A "null corpus": submissions that implement nothing, whatever they return, stay at or below
10 % of a question's points, for several seeds (a student may submit as often as they like).

Each null submission has the question's classes and methods with the right signatures; every
method returns the same kind of non-answer: zeros of the right shape, NaN, inf, huge values,
ones, its own input, random values, integer/boolean/complex/float16 arrays, empty arrays, wrong
shapes, lists, or None. SimpleConvNet's constructor does build parameters of the right shapes
(the probes cannot load weights otherwise): those two checks are worth 1 point of 10.
"""

from __future__ import annotations

import textwrap

import pytest

# kind -> expression for a value of `shape`; `given` is the method's own input (x or dout)
NULLS = {
    "zeros": "np.zeros(shape)",
    "nan": "np.full(shape, np.nan)",
    "inf": "np.full(shape, np.inf)",
    "mixed_inf": "np.where(np.arange(int(np.prod(shape))).reshape(shape) % 2 == 0, np.inf, -np.inf)",
    "huge": "np.full(shape, 1e308)",
    "ones": "np.ones(shape)",
    "given": "given",
    "random": "np.random.default_rng().standard_normal(shape)",
    "grid_random": "np.random.default_rng().integers(-16, 17, size=shape) / 8",
    "int": "np.ones(shape, dtype=np.int64)",
    "bool": "np.ones(shape, dtype=bool)",
    "complex": "np.zeros(shape, dtype=complex)",
    "float16": "np.zeros(shape, dtype=np.float16)",
    "empty": "np.empty((0,))",
    "wrong_shape": "np.zeros(tuple(reversed(shape)) + (1,))",
    "scalar": "0.0",
    "list": "np.zeros(shape).tolist()",
    "none": "None",
}

CONVOLUTION = '''
class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.dW, self.db = null(np.shape(W), W), null(np.shape(b), b)

    def forward(self, x):
        FN, _, FH, FW = self.W.shape
        N, _, H, W = x.shape
        self.x = x
        shape = (N, FN, (H + 2 * self.pad - FH) // self.stride + 1,
                 (W + 2 * self.pad - FW) // self.stride + 1)
        return null(shape, x)

    def backward(self, dout):
        self.dW, self.db = null(self.W.shape, self.W), null(self.b.shape, self.b)
        return {dx}
'''

POOLING = '''
class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride = pool_h, pool_w, stride

    def forward(self, x):
        N, C, H, W = x.shape
        self.x = x
        return null((N, C, (H - self.pool_h) // self.stride + 1, (W - self.pool_w) // self.stride + 1), x)

    def backward(self, dout):
        return {dx}
'''

SIMPLE_CONVNET = '''
class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={{'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        fn, fs = conv_param['filter_num'], conv_param['filter_size']
        conv = (input_dim[1] + 2 * conv_param['pad'] - fs) // conv_param['stride'] + 1
        self.params = {{
            'W1': np.zeros((fn, input_dim[0], fs, fs)), 'b1': np.zeros(fn),
            'W2': np.zeros((fn * (conv // 2) ** 2, hidden_size)), 'b2': np.zeros(hidden_size),
            'W3': np.zeros((hidden_size, output_size)), 'b3': np.zeros(output_size),
        }}
        self.output_size = output_size

    def predict(self, x):
        return null((len(x), self.output_size), x)

    def loss(self, x, t):
        return null((), x)

    def gradient(self, x, t):
        return {{key: null(value.shape, value) for key, value in self.params.items()}}
'''


def submission(template: str, kind: str, dx: str = "null(self.x.shape, dout)") -> str:
    head = textwrap.dedent(f'''
        import numpy as np


        def null(shape, given=None):
            shape = tuple(int(n) for n in shape)
            return {NULLS[kind]}
    ''')
    return head + template.format(dx=dx)


CASES = (
    [("convolution", kind, submission(CONVOLUTION, kind)) for kind in NULLS]
    + [("convolution", "dout_as_dx", submission(CONVOLUTION, "zeros", dx="dout"))]
    + [("pooling", kind, submission(POOLING, kind)) for kind in NULLS]
    + [("pooling", "dout_as_dx", submission(POOLING, "zeros", dx="dout"))]
    + [("simple-convnet", kind, submission(SIMPLE_CONVNET, kind)) for kind in NULLS]
)

# some nulls overflow or divide on purpose (inf - inf, 1e308 * 2): their warnings are expected
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::numpy.exceptions.ComplexWarning")


@pytest.mark.parametrize(("slug", "kind", "code"), CASES, ids=[f"{s}/{k}" for s, k, _ in CASES])
def test_a_submission_that_implements_nothing_stays_at_or_below_a_tenth(grade, slug, kind, code):
    for seed in (0, 1, 2):
        result = grade(slug, code, seed=seed)
        scored = {c.name: c.score for c in result.checks if c.score > 0}
        assert result.score <= 0.1 * result.max_score + 1e-9, (kind, seed, result.score, scored)
        assert result.max_score == 10.0


def test_the_only_points_of_a_null_simple_convnet_are_its_parameter_shapes(grade):
    result = grade("simple-convnet", submission(SIMPLE_CONVNET, "zeros"))
    scored = {c.name for c in result.checks if c.score > 0}
    assert scored == {"parameters · default arguments (1x28x28, 30 filters of 5x5)",
                      "parameters · 3 channels, pad 1, stride 2"}
    assert result.score == 1.0


def test_zeros_everywhere_fail_with_words_a_student_can_act_on(grade):
    result = grade("convolution", submission(CONVOLUTION, "zeros"))
    checks = {c.name: c for c in result.checks}
    forward = checks["forward · stride 1, pad 0"]
    assert "all values are zero" in forward.message and "first mismatch at index" in forward.message
    gradient = checks["gradient check · stride 1, pad 1"]
    assert "a gradient check of a wrong forward proves nothing" in gradient.message
    assert "your backward does agree with your forward" in gradient.message


def test_nan_on_both_sides_is_not_agreement(grade):
    result = grade("pooling", submission(POOLING, "nan"))
    gradient = {c.name: c for c in result.checks}["gradient check · overlapping windows"]
    assert gradient.score == 0
    assert "NaN or infinite" in gradient.message
