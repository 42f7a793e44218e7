"""Probes for the SimpleConvNet question.

The student's network and the reference run in two separate jobs, so they cannot share weights
directly. Instead every probe builds the network and then overwrites each parameter *in place*
with values drawn from the seeded ``rng`` in a fixed key order: both jobs end up with identical
weights, whatever random initialisation the networks made. In-place writes matter because the
layers hold references to the arrays in ``params`` (as the textbook's network does).
"""

import numpy as np

from grader.harness import substitute
from grader.harness.tools import deferred

# A small step makes it very unlikely that a nudge crosses a kink (ReLU at 0, a tie for a
# window's maximum), where finite differences are meaningless; float64 keeps the rounding small.
EPS = 1e-7

KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
SCALES = {"W1": 0.3, "b1": 0.1, "W2": 0.3, "b2": 0.1, "W3": 0.3, "b3": 0.1}
# A negative convolution bias leaves some pooling windows entirely negative, where a missing ReLU
# before the pooling shows (elsewhere max-pooling and ReLU commute).
OFFSETS = {"b1": -0.5}
DEFAULTS = {"input_dim": (1, 28, 28), "filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1,
            "hidden_size": 100, "output_size": 10}


def _build(sub, config):
    if not config:
        return sub.SimpleConvNet()  # the textbook's default arguments
    conv_param = {key: config[key] for key in ("filter_num", "filter_size", "pad", "stride")}
    return sub.SimpleConvNet(input_dim=tuple(config["input_dim"]), conv_param=conv_param,
                             hidden_size=config["hidden_size"], output_size=config["output_size"],
                             weight_init_std=0.01)


def _expected_shapes(config):
    c = {**DEFAULTS, **config}
    channels, height, _ = c["input_dim"]
    conv = (height + 2 * c["pad"] - c["filter_size"]) // c["stride"] + 1
    pooled = c["filter_num"] * (conv // 2) * (conv // 2)
    return {
        "W1": (c["filter_num"], channels, c["filter_size"], c["filter_size"]),
        "b1": (c["filter_num"],),
        "W2": (pooled, c["hidden_size"]),
        "b2": (c["hidden_size"],),
        "W3": (c["hidden_size"], c["output_size"]),
        "b3": (c["output_size"],),
    }


def _seeded_net(sub, rng, config):
    """Build the network, then give it the weights every job of this check shares."""
    net = _build(sub, config)
    params = net.params
    for key, shape in _expected_shapes(config).items():
        if key not in params:
            raise KeyError(f"self.params has no {key!r} (its keys are {sorted(map(str, params))}); "
                           "the parameters must be named W1, b1, W2, b2, W3, b3")
        array = params[key]
        if np.shape(array) != shape:
            raise ValueError(f"self.params[{key!r}] has shape {np.shape(array)}, but this network "
                             f"needs {shape}; fix the parameter shapes first")
        array[...] = rng.standard_normal(shape) * SCALES[key] + OFFSETS.get(key, 0.0)
    return net


def _inputs(rng, config, batch):
    c = {**DEFAULTS, **config}
    x = rng.standard_normal((batch, *c["input_dim"]))
    t = rng.integers(0, c["output_size"], size=batch)
    return x, t


def parameters(sub, rng, **config):
    """Names and shapes of the parameters right after construction."""
    params = _build(sub, config).params
    return {
        "keys": sorted(str(key) for key in params),
        "shapes": [f"{key}: {tuple(np.shape(params[key]))}" for key in KEYS if key in params],
    }


def predict(sub, rng, *, batch, **config):
    net = _seeded_net(sub, rng, config)
    x, _ = _inputs(rng, config, batch)
    return {"scores": net.predict(x)}


def loss(sub, rng, *, batch, score_offset=0.0, **config):
    """The loss for label indices and for one-hot labels; ``score_offset`` shifts every score."""
    net = _seeded_net(sub, rng, config)
    net.params["b3"] += score_offset
    x, t = _inputs(rng, config, batch)
    one_hot = np.eye(net.params["b3"].shape[0])[t]
    return {"loss_labels": net.loss(x, t), "loss_one_hot": net.loss(x, one_hot)}


def gradient(sub, rng, *, batch, w2_rows=None, **config):
    """The gradients; with ``w2_rows``, only that many random rows of ``grads['W2']`` go back.

    At the textbook's full size ``W2`` has 432,000 values: sampling its rows keeps what every
    graded seed leaves in the reference cache small. The rows are drawn after ``gradient``
    returned, so the network must compute them all.
    """
    net = _seeded_net(sub, rng, config)
    x, t = _inputs(rng, config, batch)
    grads = net.gradient(x, t)
    produced = {"keys": sorted(str(key) for key in grads)}
    w2_shape = _expected_shapes(config)["W2"]
    rows = None if w2_rows is None else np.sort(rng.choice(w2_shape[0], w2_rows, replace=False))
    for key in KEYS:
        if grads.get(key) is not None:
            value = grads[key]
            if key == "W2" and rows is not None and np.shape(value) == w2_shape:
                value = np.asarray(value)[rows]
            produced[f"d{key}"] = value
    return produced


def gradcheck(sub, rng, *, batch, **config):
    """Backpropagation against central differences of the student's own loss. ``loss`` goes back
    too: the check counts only when the loss it differentiates is right. The finite differences are
    deferred: only the student's job computes them."""
    net = _seeded_net(sub, rng, config)
    x, t = _inputs(rng, config, batch)
    grads = net.gradient(x, t)
    produced = {"loss": net.loss(x, t)}
    for key in KEYS:
        if grads.get(key) is not None:
            produced[f"d{key}"] = np.array(grads[key], dtype=np.float64)
    for key in KEYS:
        produced[f"d{key}_num"] = deferred(lambda key=key: _numerical_gradient(lambda: float(net.loss(x, t)),
                                                                        net.params[key]))
    return produced


def faulty_part(sub, rng, *, probe, args, index, whole):
    """One variant of the faulty-part diagnosis (grader/diagnosis.py): a failing check's probe,
    rerun with its seed after one of the student's own parts is replaced by the textbook's one
    (only what this question's ``textbook:`` already offers the student's code)."""
    return substitute.run_variant(sub, rng, globals()[probe], args, index=index, whole=whole)


def _numerical_gradient(f, array):
    """Central differences of ``f()`` with respect to ``array``, nudged in place element by element.

    Unlike ``grader.harness.tools.numerical_gradient`` this indexes the array itself, so it works
    for any memory layout: a student may build a parameter as a transposed (non-contiguous) view.
    The step is divided by the change the array really stored, and is never smaller than a few
    units in the last place of the array's dtype, so float32 parameters (where ``0.3 + 1e-7`` rounds
    to a different step, or to no step at all) get an accurate derivative too.
    """
    grad = np.zeros(np.shape(array), dtype=np.float64)
    for index in np.ndindex(*grad.shape):
        saved = array[index]
        step = max(EPS, 8 * float(np.abs(np.spacing(saved))))
        array[index] = saved + step
        high = float(array[index])
        plus = f()
        array[index] = saved - step
        low = float(array[index])
        minus = f()
        array[index] = saved
        grad[index] = (plus - minus) / (high - low)
    return grad


# -- public examples (the Run button; examples: in question.yaml) ------------------------------
# Small networks whose weights and inputs come from the example's own fixed seed, never from a
# graded seed; the inputs go back too (copied before the student's code sees them).


def example_network(sub, rng, *, batch, **config):
    """``predict`` and ``loss`` of a small network."""
    net = _seeded_net(sub, rng, config)
    x, t = _inputs(rng, config, batch)
    shown = {"x": x.copy(), "t": t.copy()}
    return shown | {"scores": net.predict(x), "loss": net.loss(x, t)}


def example_gradient(sub, rng, *, batch, **config):
    """``gradient`` of a small network: every parameter's gradient."""
    net = _seeded_net(sub, rng, config)
    x, t = _inputs(rng, config, batch)
    produced = {"x": x.copy(), "t": t.copy()}
    grads = net.gradient(x, t)
    for key in KEYS:
        if grads.get(key) is not None:
            produced[f"d{key}"] = grads[key]
    return produced


# -- cross-checks (the Run button; crosschecks: in question.yaml) --------------------------------


def crosscheck_pool_output_size(sub, rng, *, I, FN, FS, P):
    """pool_output_size as the student's SimpleConvNet sizes W2 for a 1 x I x I input."""
    network = sub.SimpleConvNet(input_dim=(1, I, I), hidden_size=4, output_size=3,
                                conv_param={"filter_num": FN, "filter_size": FS, "pad": P, "stride": 1})
    return {"value": np.asarray(np.shape(network.params["W2"])[0])}
