"""Every per-student variant of every question describes a layer a real network could have.

Only the numeric kind draws variables (``variables`` + ``constraints``; multiple_choice and
short_text return ``{}`` from ``variant``, a multiple-choice seed only shuffles the choices). A draw
is uniform per variable and redrawn until every constraint holds, so the set of variants a student
can get is exactly the product of the declared values filtered by the constraints. These tests
enumerate that set (restricted to the variables the rules look at, which is small) and fall back to
many seeds when a space is too large to list.

Layer rules, for each conv/pool layer a question's variables describe (input size H, filter F,
padding P, stride S):

* ``2P <= F - 1``: at most "same" padding, so no window sees only padding and 1x1 filters are never
  padded; pooling uses no padding at all;
* ``F <= H``: the filter fits the unpadded input (no 11x11 filter on a 5-pixel image), which also
  gives ``F <= H + 2P`` and an output of at least one position;
* ``(H + 2P - F) % S == 0`` where the question needs the output size exactly.

Every question with variables must be listed in LAYERS or NO_LAYER, so a new question gets
classified instead of silently escaping the rules.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pytest
from content_support import all_questions

from kinds import get_kind
from kinds.numeric.expressions import evaluate, evaluate_number, names

ENUMERATION_LIMIT = 2_000_000  # combinations; larger spaces are sampled with FALLBACK_SEEDS
FALLBACK_SEEDS = range(3000)
MIN_ACCEPTANCE = 0.02  # (1 - 0.02) ** 1000 redraws: a failed draw is practically impossible


@dataclass(frozen=True)
class Layer:
    what: str
    size: str  # expressions over the question's variables
    F: str
    P: str = "0"
    S: str = "1"
    exact: bool = True  # the question needs the output size, so the division must be exact
    pool: bool = False


def _stride2_same(axis: str) -> list[Layer]:
    """Three 3x3, stride-2, "same"-padded convolutions; sizes halve rounding up (stated in the prompt)."""
    return [Layer(f"conv{i + 1} {axis}", f"ceil({axis} / {2 ** i})", "3", "1", "2", exact=False)
            for i in range(3)]


LAYERS: dict[tuple[str, str], list[Layer]] = {
    ("ch07-cnn", "output-size"): [Layer("conv height", "H", "F", "P", "S")],
    ("ch07-cnn", "im2col-rows"): [Layer("conv height", "H", "F", "P", "S"),
                                  Layer("conv width", "W", "F", "P", "S")],
    ("ch07-cnn", "im2col-cols"): [Layer("conv height", "H", "FH"), Layer("conv width", "H", "FW")],
    ("ch07-cnn", "simpleconvnet-pool-output-variant"): [
        Layer("conv", "I", "FS", "P"),
        Layer("2x2 pool", "I - FS + 2*P + 1", "2", "0", "2", pool=True),
    ],
    ("cnn-architectures", "conv-output-size"): [Layer("conv width", "W", "F", "P", "S")],
    ("cnn-architectures", "conv-params"): [Layer("conv", "W1", "F", "0", "S", exact=False)],
    ("cnn-architectures", "conv-weights"): [Layer("conv width", "W", "K", "(K - 1) // 2"),
                                            Layer("conv height", "H", "K", "(K - 1) // 2")],
    ("cnn-architectures", "im2col-xcol-size"): [Layer("conv", "W", "F", "0", "S")],
    ("cnn-architectures", "pool-output-size"): [Layer("pool", "W", "F", "0", "2", pool=True)],
    ("cnn-architectures", "same-padding"): [Layer("conv", "W", "F", "(F - 1) // 2")],
    ("cnn-architectures", "fc-to-conv-score-map-variant"): [Layer("FC as 7x7 conv", "M", "7")],
    ("cnn-architectures", "batch-memory"): _stride2_same("H") + _stride2_same("W"),
    ("cnn-architectures", "predict-memory"): _stride2_same("H") + _stride2_same("W"),
}

NO_LAYER: dict[tuple[str, str], str] = {
    ("ch07-cnn", "conv-worked-example-variant"):
        "pixel values and filter weights of a fixed 3x3 input and 2x2 filter",
    ("cnn-architectures", "conv-stack-params"): "parameter count only, no input size",
    ("cnn-architectures", "dilated-receptive-field"): "receptive field of one filter, no input",
    ("cnn-architectures", "receptive-field-stack"): "receptive field of a stack, no input",
    ("cnn-architectures", "pooling-discard"): "fraction of a KxK window, no input",
    ("cnn-architectures", "three-3x3-vs-7x7"): "parameter counts only",
    ("cnn-architectures", "yolo-output-size"): "grid cells and boxes, not a window",
    ("cnn-architectures", "gpu-batch-fit"): "memory arithmetic",
    ("cnn-architectures", "dense-neuron-weights-variant"): "a fully connected neuron",
}

# Questions of the other bundle that still draw impossible layers; each must be fixed there, and
# strict xfail makes this test fail as soon as it is, so the entry gets removed.
EXPECTED_FAILURES: dict[tuple[str, str], str] = {}


def layer_problems(layer: Layer, values: dict) -> list[str]:
    """What is wrong with one layer for one variant; [] when it is a layer a network would have."""
    size, F, P, S = (evaluate_number(e, values) for e in (layer.size, layer.F, layer.P, layer.S))
    shown = f"{layer.what}: H={size} F={F} P={P} S={S}"
    problems = []
    if not all(float(v).is_integer() for v in (size, F, P, S)) or min(size, F, S) < 1 or P < 0:
        problems.append(f"{shown}: sizes must be whole, F, S, H >= 1, P >= 0")
    if layer.pool and P != 0:
        problems.append(f"{shown}: pooling with padding")
    if 2 * P > F - 1:
        problems.append(f"{shown}: 2P > F - 1 (windows that see only padding, or a padded 1x1)")
    if size < F:
        problems.append(f"{shown}: filter larger than the input")
    elif layer.exact and S >= 1 and (size + 2 * P - F) % S != 0:
        problems.append(f"{shown}: (H + 2P - F) / S is not a whole number")
    return problems


def _domain(rule: dict) -> list:
    if "choices" in rule:
        return list(dict.fromkeys(rule["choices"]))
    return list(range(rule["min"], rule["max"] + 1, rule.get("step", 1)))


def _space(spec: dict, needed: set[str]) -> tuple[list[str], list[str], int]:
    """Variables to enumerate (needed + everything tied to them by constraints) and their constraints."""
    rules = spec.get("variables") or {}
    constraints = spec.get("constraints") or []
    chosen = set(needed)
    while True:
        tied = [c for c in constraints if names(c) & chosen]
        grown = chosen.union(*(names(c) for c in tied)) if tied else chosen
        if grown == chosen:
            break
        chosen = grown
    order = [name for name in rules if name in chosen]
    return order, tied if chosen else [], math.prod(len(_domain(rules[n])) for n in order)


def variants(spec: dict, needed: set[str]) -> tuple[list[dict], float | None]:
    """Every possible variant restricted to the chosen variables, and the constraints' acceptance
    rate; a large space is sampled from seeds instead (acceptance None)."""
    order, constraints, size = _space(spec, needed)
    if size > ENUMERATION_LIMIT:
        kind = get_kind("numeric")
        return [kind.variant(spec, seed) for seed in FALLBACK_SEEDS], None
    rules = spec["variables"]
    found = []
    for combo in itertools.product(*(_domain(rules[n]) for n in order)):
        values = dict(zip(order, combo, strict=True))
        if all(evaluate(c, values) for c in constraints):
            found.append(values)
    return found, len(found) / size


VARIANT_QUESTIONS = [q for q in all_questions() if q.spec.get("variables")]
BUNDLE_OF = {id(q): str(q.dir.parent.parent.name) for q in VARIANT_QUESTIONS}


def key(source) -> tuple[str, str]:
    return (BUNDLE_OF[id(source)], source.slug)


def _layer_params():
    params = []
    for source in VARIANT_QUESTIONS:
        if key(source) not in LAYERS:
            continue
        marks = ()
        if key(source) in EXPECTED_FAILURES:
            marks = pytest.mark.xfail(strict=True, reason=EXPECTED_FAILURES[key(source)])
        params.append(pytest.param(source, id="/".join(key(source)), marks=marks))
    return params


def test_only_numeric_questions_draw_variables():
    for source in all_questions(("multiple_choice", "short_text", "code")):
        assert get_kind(source.kind).variant(source.spec, 7) == {}
        assert not source.spec.get("variables"), f"{source.slug}: variables on a {source.kind}"


def test_every_variant_question_is_classified():
    present = {key(q) for q in VARIANT_QUESTIONS}
    listed = set(LAYERS) | set(NO_LAYER)
    assert not set(LAYERS) & set(NO_LAYER)
    assert present - listed == set(), "classify these in LAYERS (conv/pool variables) or NO_LAYER"
    assert listed - present == set(), "stale entries: the question is gone or has no variables"
    assert set(EXPECTED_FAILURES) <= set(LAYERS)


def test_the_rules_reject_the_layers_the_issue_names():
    conv = Layer("conv", "H", "F", "P", "S")
    assert layer_problems(conv, {"H": 32, "F": 3, "P": 1, "S": 1}) == []
    assert layer_problems(conv, {"H": 227, "F": 11, "P": 0, "S": 4}) == []
    assert layer_problems(conv, {"H": 6, "F": 3, "P": 3, "S": 1})  # padding >= filter size
    assert layer_problems(conv, {"H": 9, "F": 1, "P": 1, "S": 1})  # padded 1x1
    assert layer_problems(conv, {"H": 7, "F": 11, "P": 0, "S": 4})  # 11x11 on 7 pixels
    assert layer_problems(conv, {"H": 8, "F": 3, "P": 0, "S": 2})  # inexact division
    assert layer_problems(Layer("pool", "H", "F", "P", "S", pool=True), {"H": 8, "F": 2, "P": 1, "S": 2})


@pytest.mark.parametrize("source", _layer_params())
def test_every_variant_is_a_real_layer(source):
    layers = LAYERS[key(source)]
    needed = set().union(*(names(e) for layer in layers
                           for e in (layer.size, layer.F, layer.P, layer.S)))
    found, _ = variants(source.spec, needed)
    assert found, "no variant satisfies the constraints"
    bad = {}
    for values in found:
        problems = [p for layer in layers for p in layer_problems(layer, values)]
        if problems:
            bad[str(values)] = problems
    share = f"{len(bad)} of {len(found)} variants"
    assert not bad, f"{share} are not real layers, e.g. " + "; ".join(
        f"{v} -> {p}" for v, p in list(bad.items())[:5])


@pytest.mark.parametrize("source", VARIANT_QUESTIONS, ids=["/".join(key(q)) for q in VARIANT_QUESTIONS])
def test_every_variant_has_a_finite_answer_and_draws_never_run_out(source):
    spec = source.spec
    rules = spec["variables"]
    found, acceptance = variants(spec, set(rules))
    assert found
    if acceptance is not None:
        assert acceptance >= MIN_ACCEPTANCE, f"only {acceptance:.2%} of draws pass the constraints"
    expressions = [str(spec["answer"])] + [str(m["answer"]) for m in spec.get("misconceptions") or []]
    for values in found:
        for expression in expressions:
            assert math.isfinite(evaluate_number(expression, values)), (expression, values)
    # the enumeration is the space the platform draws from
    if acceptance is not None:
        space = {tuple(sorted(v.items())) for v in found}
        kind = get_kind("numeric")
        for seed in range(200):
            assert tuple(sorted(kind.variant(spec, seed).items())) in space
