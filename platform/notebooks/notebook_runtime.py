"""dlgrade: runs this notebook's public examples on your code, on your own computer.

Written next to the notebook by its first cell. The examples are the site's (the Run panel); the
graded checks use other, hidden inputs, so passing here is a good sign, not a score.
"""

import importlib
import json  # noqa: F401  (the data below is JSON)

import numpy as np

QUESTIONS: dict = {}  # replaced below by the notebook's data
TEXT: dict = {}


class _Yours:
    """Your code as an example probe sees it (on the site, the probe gets your module)."""

    def __init__(self, names):
        self._names = names

    def __getattr__(self, name):
        try:
            return self._names[name]
        except KeyError:
            raise AttributeError(TEXT["undefined"].format(name=name)) from None


def _example(slug, name):
    for example in QUESTIONS[slug]["examples"]:
        if example["name"] == name:
            return example
    raise KeyError(name)


def _run(slug, example, names):
    probes = importlib.import_module(QUESTIONS[slug]["module"])
    rng = np.random.default_rng(example["seed"])  # the sandbox draws the example's inputs the same way
    return getattr(probes, example["probe"])(_Yours(names), rng, **example["args"])


def _describe(value):
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001
        return repr(value)
    if array.dtype.kind in "biuf":
        text = np.array2string(array, precision=4, threshold=200, edgeitems=3)
        return f"shape {array.shape}\n{text}"
    return repr(value)


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _compare(item, got, want):
    if item["kind"] == "equal":
        return _plain(got) == want, TEXT["not_equal"].format(got=_plain(got), want=want)
    try:
        got = np.atleast_1d(np.asarray(got, dtype=np.float64))  # the grader sends a scalar as one value
    except (TypeError, ValueError):
        return False, TEXT["not_numbers"]
    want = np.atleast_1d(np.asarray(want, dtype=np.float64))
    if got.shape != want.shape:
        return False, TEXT["shape"].format(got=got.shape, want=want.shape)
    if not np.all(np.isfinite(got)):
        return False, TEXT["not_finite"]
    if np.allclose(got, want, rtol=item["rtol"], atol=item["atol"]):
        return True, ""
    return False, TEXT["differs"].format(error=float(np.max(np.abs(got - want))))


def show(slug, name, names):
    """Run one example on your code and print what it returned (and the expected values)."""
    _show(slug, name, names)


def _show(slug, name, names):
    example = _example(slug, name)
    print(example["title"])
    if not example["offline"]:
        print(TEXT["site_only"])
        return None
    try:
        values = _run(slug, example, names)
    except NotImplementedError as error:
        print(TEXT["not_implemented"].format(what=error))
        return None
    for key, value in values.items():
        print(f"{key}: {_describe(value)}")
    expected = (QUESTIONS[slug].get("expected") or {}).get(name) or {}
    for key, value in expected.items():
        print(TEXT["expected"].format(key=key) + " " + _describe(value))
    return values


def check(slug, names):
    """Run every public example on your code and compare with the expected values."""
    question = QUESTIONS[slug]
    expected_all = question.get("expected")
    passed = total = 0
    for example in question["examples"]:
        name = example["name"]
        if not example["offline"]:
            print(f"-  {name}: {TEXT['site_only']}")
            continue
        total += 1
        try:
            values = _run(slug, example, names)
        except NotImplementedError as error:
            print(f"✗  {name}: " + TEXT["not_implemented"].format(what=error))
            continue
        except Exception as error:  # noqa: BLE001 - your code's error, shown as the site would
            print(f"✗  {name}: {type(error).__name__}: {error}")
            continue
        if expected_all is None:
            shapes = ", ".join(f"{key} {np.shape(value)}" for key, value in values.items()
                               if key in {item["key"] for item in example["compare"]})
            print(f"?  {name}: {shapes} — {TEXT['no_expected']}")
            continue
        want = expected_all.get(name) or {}
        problems = []
        for item in example["compare"]:
            key = item["key"]
            if key not in values:
                problems.append(TEXT["missing"].format(key=key))
            elif key in want:
                good, why = _compare(item, values[key], want[key])
                if not good:
                    problems.append(f"{key}: {why}")
        if problems:
            print(f"✗  {name}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"✓  {name}")
    if expected_all is None:
        print(f"[dlgrade self-check] RAN {total}: " + TEXT["summary_unknown"])
        return
    verdict = "PASS" if total and passed == total else "FAIL"
    print(f"[dlgrade self-check] {verdict} {passed}/{total}: " + TEXT["summary"].format(passed=passed, total=total))
