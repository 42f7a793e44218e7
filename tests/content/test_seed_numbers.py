"""The numbers the seed documents state, checked against our answer expressions."""

from __future__ import annotations

import pytest
from content_support import grade_value, question

from kinds.numeric.expressions import evaluate_number

ARCH, CH07 = "cnn-architectures", "ch07-cnn"


@pytest.mark.parametrize(
    ("bundle", "slug", "typed"),
    [
        (CH07, "conv-worked-example", "19"),  # 001 7.2.2.1: 3*1+3*2+0*3+5*2 = 19
        (CH07, "conv-worked-example-top-right", "24"),
        (CH07, "conv-worked-example-bottom-left", "26"),
        (CH07, "conv-worked-example-bottom-right", "17"),
        (CH07, "output-size-seed-oh", "6"),  # 001 7.2.4: (5+2*2-4)/1+1
        (CH07, "output-size-seed-ow", "7"),  # 001 7.2.4: (6+2*2-4)/1+1
        (CH07, "simpleconvnet-pool-output", "4,320"),  # 30 * 12 * 12
        (ARCH, "three-layer-params", "903,400"),  # 000 Q2
        (ARCH, "three-layer-predict-memory", "12.6 MB"),  # 000 Q2: 12,613,600 bytes
        (ARCH, "three-layer-predict-memory", "12.6136"),
        (ARCH, "three-layer-batch-memory", "564.6 MB"),  # 000 Q2 as printed (rounded)
        (ARCH, "three-layer-batch-memory", "565.6 MB"),  # exact total
        (ARCH, "conv-weights-example", "73,728"),  # 002: 3*3*128*64
        (ARCH, "alexnet-conv1-output", "55"),  # 003/004: (227-11)/4+1
        (ARCH, "alexnet-pool1-output", "27"),  # 003: (55-3)/2+1
        (ARCH, "alexnet-conv1-params", "34,944"),  # 004: 96*11*11*3 + 96
        (ARCH, "no-sharing-params", "105,705,600"),  # 004: 290,400 * 364
        (ARCH, "pool-params", "0"),  # 003
        (ARCH, "alexnet-conv2-params", "307200"),  # 002: ~307k
        (ARCH, "alexnet-fc6-params", "177,209,344"),  # 002: ~177M
        (ARCH, "dense-neuron-weights", "120,000"),  # 004: 200*200*3
        (ARCH, "neuron-params-example", "76"),  # 004 example 1
        (ARCH, "neuron-connections-example", "180"),  # 004 example 2
        (ARCH, "output-size-7x7", "3"),  # 004: 7x7, 3x3, stride 2
        (ARCH, "numpy-example-output", "4"),  # 004: (11-5)/2+1
        (ARCH, "conv-demo-output", "18"),  # 004 demo: 3x3x2
        (ARCH, "pooling-discard-2x2", "75"),  # 004: discards 75%
        (ARCH, "im2col-xcol-rows", "363"),  # 004: 11*11*3
        (ARCH, "im2col-xcol-cols", "3025"),  # 004: 55*55
        (ARCH, "receptive-field-three-3x3", "7"),  # 003/004
        (ARCH, "vgg16-images-per-gpu", "50"),  # 003: 5 GB / 100 MB
        (ARCH, "vgg-first-layers-activations", "9,633,792"),  # 004: ~10 million
        (ARCH, "fc-to-conv-score-map", "6"),  # 004: 384 -> 12 -> 6x6x1000
    ],
)
def test_the_seed_number_is_accepted(bundle, slug, typed):
    grade = grade_value(question(bundle, slug), typed)
    assert grade.correct, grade.feedback


@pytest.mark.parametrize(
    ("bundle", "slug", "variables", "expected"),
    [
        (ARCH, "conv-stack-params", {"C0": 3, "K": 3, "C1": 100, "C2": 200, "C3": 400}, 903_400),
        (ARCH, "predict-memory", {"H": 200, "W": 300, "C1": 100, "C2": 200, "C3": 400}, 12.6136),
        (ARCH, "batch-memory", {"N": 50, "H": 200, "W": 300, "C1": 100, "C2": 200, "C3": 400},
         565.6136),
        (ARCH, "conv-weights", {"W": 40, "H": 50, "K": 3, "CI": 128, "CO": 64}, 73_728),
        (ARCH, "conv-params", {"W1": 227, "D1": 3, "F": 11, "K": 96, "S": 4}, 34_944),
        (ARCH, "conv-output-size", {"W": 227, "F": 11, "P": 0, "S": 4}, 55),
        (ARCH, "conv-output-size", {"W": 7, "F": 3, "P": 0, "S": 1}, 5),
        (ARCH, "conv-output-size", {"W": 5, "F": 3, "P": 1, "S": 2}, 3),
        (ARCH, "pool-output-size", {"W": 55, "F": 3, "D": 96}, 27),
        (ARCH, "pool-output-size", {"W": 224, "F": 2, "D": 64}, 112),
        (ARCH, "same-padding", {"F": 3, "W": 32}, 1),
        (ARCH, "receptive-field-stack", {"N": 3, "F": 3}, 7),
        (ARCH, "receptive-field-stack", {"N": 2, "F": 3}, 5),
        (ARCH, "three-3x3-vs-7x7", {"C": 64}, 49 * 64 * 64 - 27 * 64 * 64),
        (ARCH, "dilated-receptive-field", {"F": 3, "D": 1}, 5),
        (ARCH, "im2col-xcol-size", {"W": 227, "D": 3, "F": 11, "S": 4}, 363 * 3025),
        (ARCH, "fc-to-conv-score-map-variant", {"M": 12}, 6),
        (ARCH, "dense-neuron-weights-variant", {"S": 32, "C": 3}, 3072),
        (ARCH, "pooling-discard", {"K": 2}, 75),
        (ARCH, "gpu-batch-fit", {"A": 25, "G": 5}, 50),
        (ARCH, "yolo-output-size", {"S": 7, "B": 2, "C": 20}, 1470),
        (CH07, "output-size", {"H": 5, "P": 2, "F": 4, "S": 1}, 6),
        (CH07, "output-size", {"H": 6, "P": 2, "F": 4, "S": 1}, 7),
        (CH07, "simpleconvnet-pool-output-variant", {"I": 28, "FN": 30, "FS": 5, "P": 0}, 4320),
        (CH07, "conv-worked-example-variant",
         {"A": 3, "B": 3, "C": 2, "D": 0, "E": 5, "F": 1, "G": 4, "H": 2, "I": 2,
          "P": 1, "Q": 2, "R": 3, "S": 2}, 24),
        (CH07, "im2col-rows", {"N": 1, "C": 3, "H": 7, "W": 7, "F": 5, "S": 1, "P": 0}, 9),
        (CH07, "im2col-cols", {"N": 1, "C": 3, "H": 7, "FH": 5, "FW": 5}, 75),
    ],
)
def test_the_variant_formula_reproduces_the_seed_example(bundle, slug, variables, expected):
    source = question(bundle, slug)
    assert evaluate_number(source.spec["answer"], variables) == pytest.approx(expected)
    assert grade_value(source, repr(float(expected)), variables).correct


@pytest.mark.parametrize(
    ("slug", "typed", "tag"),
    [
        ("three-layer-params", "902700", "no-bias"),
        ("alexnet-conv1-params", "34,848", "no-bias"),
        ("alexnet-conv1-output", "54", "no-plus-one"),
        ("three-layer-predict-memory", "9", "no-parameters"),
        ("three-layer-predict-memory", "12.03", "mebibytes"),
        ("three-layer-predict-memory", "14.13", "all-layers"),
        ("three-layer-batch-memory", "529.6", "no-inputs"),
        ("three-layer-batch-memory", "539.4", "mebibytes"),
    ],
)
def test_the_classic_wrong_answers_get_targeted_feedback(slug, typed, tag):
    grade = grade_value(question(ARCH, slug), typed)
    assert not grade.correct and grade.misconception == tag


def test_the_worked_example_spots_a_flipped_filter():
    grade = grade_value(question(CH07, "conv-worked-example"), "20", lang="ko")
    assert grade.misconception == "flipped-filter" and "뒤집어" in grade.feedback
