"""``examples:`` in question.yaml (public inputs for the Run button): validated with errors that
name the field, and what a Run job may hold (never a check). In-process: no sandbox needed."""

import json
import shutil

import numpy as np
import pytest

from grader.api import load_question
from grader.errors import BundleError
from grader.run import SCRATCH_CASE, array_view, expected_examples, run_code, run_job
from grader.sanitize import json_safe

from .conftest import MINI

EXAMPLE = """
examples:
  - name: doubling
    title: {ko: "두 배", en: "Doubling"}
    probe: literal
    args: {x: [1, 2, 3], k: 2.0}
    compare: [{kind: allclose, key: out}]
"""
LITERAL_PROBE = """

def literal(sub, rng, *, x, k):
    x = np.array(x, dtype=np.float64)
    return {"x": x.copy(), "out": sub.scale(x, k)}
"""


@pytest.fixture
def bundle(tmp_path):
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    with open(target / "questions/scale/probes.py", "a") as probes:
        probes.write(LITERAL_PROBE)
    return target


def with_examples(bundle, text):
    with open(bundle / "questions/scale/question.yaml", "a") as spec:
        spec.write(text)
    return load_question(bundle, "scale")


def test_a_question_without_examples_has_none(bundle):
    assert load_question(bundle, "scale").examples == ()


def test_examples_load(bundle):
    question = with_examples(bundle, EXAMPLE)
    (example,) = question.examples
    assert example.name == "doubling" and example.title["en"] == "Doubling"
    assert example.args == {"x": [1, 2, 3], "k": 2.0} and example.seed == 0
    assert example.compare[0].kind == "allclose"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  - name: doubling\n", "  - name: ''\n", "examples[0].name"),
        ("  - name: doubling\n", "  - name: __mine\n", "examples[0].name"),
        ('en: "Doubling"', 'fr: "Doubling"', "examples[0].title.en"),
        ("probe: literal", "probe: nowhere", "examples[0].probe"),
        ("args: {x: [1, 2, 3], k: 2.0}", "args: [1, 2]", "examples[0].args"),
        ("args: {x: [1, 2, 3], k: 2.0}", "args: {x: 2020-01-01, k: 2.0}", "examples[0].args"),
        ("args: {x: [1, 2, 3], k: 2.0}", "args: {x: .nan, k: 2.0}", "examples[0].args"),
        ("compare: [{kind: allclose, key: out}]", "compare: []", "examples[0].compare"),
        ("compare: [{kind: allclose, key: out}]",
         "compare: [{kind: selfgrad, analytic: a, numeric: b}]", "examples[0].compare[0].kind"),
        ("compare: [{kind: allclose, key: out}]", "compare: [{kind: allclose}]", "examples[0].compare[0]"),
        ("    probe: literal\n", "    probe: literal\n    seed: -1\n", "examples[0].seed"),
        ("    probe: literal\n", "    probe: literal\n    hidden: true\n", "examples[0]"),
    ],
)
def test_broken_examples_are_named(bundle, old, new, field):
    text = EXAMPLE.replace(old, new)
    assert text != EXAMPLE
    with pytest.raises(BundleError) as caught:
        with_examples(bundle, text)
    assert caught.value.field.startswith(field), caught.value
    assert caught.value.path.endswith("question.yaml")


def test_examples_must_be_a_list(bundle):
    with pytest.raises(BundleError) as caught:
        with_examples(bundle, "\nexamples: {doubling: 1}\n")
    assert caught.value.field == "examples"


def test_example_names_are_unique(bundle):
    twice = EXAMPLE + EXAMPLE.split("examples:\n")[1]
    with pytest.raises(BundleError, match="unique"):
        with_examples(bundle, twice)


def test_a_run_job_holds_the_examples_and_the_scratch_cell_and_no_check(questions):
    for question in questions.values():
        job = run_job(question, question.template, "1 + 1", seed=123)
        names = [case.name for case in job.cases]
        assert names == [example.name for example in question.examples] + [SCRATCH_CASE]
        assert not set(names) & {check.name for check in question.checks}
        assert not {case.probe for case in job.cases} & {check.probe for check in question.checks}
        hidden = {json.dumps(check.args, sort_keys=True) for check in question.checks if check.hidden}
        assert not hidden & {json.dumps(case.args, sort_keys=True) for case in job.cases}
        # the examples' inputs are fixed: the Run's seed only reaches the scratch cell
        assert [case.seed for case in job.cases[:-1]] == \
            [case.seed for case in run_job(question, "", "x", seed=999).cases[:-1]]
        assert run_job(question, "", "", seed=1).cases[-1].name != SCRATCH_CASE  # empty: not run


def test_every_code_question_of_chapter_7_has_public_examples(questions):
    for question in questions.values():
        assert 1 <= len(question.examples) <= 3, question.slug


def test_a_correct_module_passes_the_examples_in_process(bundle, inprocess):
    question = with_examples(bundle, EXAMPLE)
    result = run_code(question, "def scale(x, k):\n    print('scaling', k)\n    return k * x\n",
                      "scale(np.ones(2), 3)", executor=inprocess, seed=1)
    (example,) = result["examples"]
    assert example["passed"] is True and example["error"] is None
    assert [entry["key"] for entry in example["arrays"]] == ["x", "out"]
    out = example["arrays"][1]
    assert out["match"] is True and out["student"]["text"] == out["expected"]["text"] == "[2. 4. 6.]"
    assert example["arrays"][0]["match"] is None  # an input: shown, not compared
    assert "scaling 2.0" in result["output"]
    assert result["scratch"]["value"]["text"] == "[3. 3.]"


def test_expected_examples_survive_json_and_a_stale_one_is_ignored(bundle, inprocess):
    question = with_examples(bundle, EXAMPLE)
    expected = json.loads(json.dumps(json_safe(expected_examples(question, executor=inprocess))))
    assert expected["content_hash"] == question.content_hash
    wrong = "def scale(x, k):\n    return x\n"
    fresh = run_code(question, wrong, "", executor=inprocess, seed=1, expected=expected)
    assert fresh["examples"][0]["arrays"][1]["match"] is False
    assert fresh["examples"][0]["passed"] is False
    stale = dict(expected, content_hash="another version")
    poisoned = {"content_hash": question.content_hash, "examples": {"doubling": {"arrays": {"out": {"npy": "!!"}}}}}
    for given in (stale, poisoned, {"nonsense": True}):
        again = run_code(question, wrong, "", executor=inprocess, seed=1, expected=given)
        assert again["examples"][0]["arrays"][1]["expected"]["text"] == "[2. 4. 6.]"


def test_a_large_array_is_summarised():
    view = array_view(np.arange(100_000, dtype=np.float64).reshape(100, 1000))
    assert view["shape"] == [100, 1000] and view["size"] == 100_000 and view["dtype"] == "float64"
    assert "..." in view["text"] and len(view["text"]) < 1000
    assert (view["min"], view["max"]) == (0.0, 99_999.0)


def test_array_views_stay_small_and_finite_whatever_the_array():
    many_axes = array_view(np.zeros((2,) * 20, dtype=np.int8))  # 2**20 values, nothing summarised
    assert len(many_axes["text"]) <= 10_000
    odd = array_view(np.array([np.nan, 1.0, np.inf, -2.0]))
    assert (odd["min"], odd["max"]) == (-2.0, 1.0)
    assert array_view(np.array([1 + 2j]))["min"] is None
    assert array_view(np.zeros((0, 3)))["text"] == "[]"
    assert array_view(np.float64(3.5) * np.ones(()))["text"] == "3.5"


def test_rejected_code_is_a_result_not_an_exception(bundle, inprocess):
    question = with_examples(bundle, EXAMPLE)
    result = run_code(question, "x = 1\n" * 100_000, "", executor=inprocess, seed=1)
    assert result["termination"] == "rejected" and result["examples"] == []
    assert "limit" in result["message"]["en"] and result["message"]["ko"]
    nul = run_code(question, "def scale(x, k):\n    return x\n", "1\x00", executor=inprocess, seed=1)
    assert nul["termination"] == "rejected" and "scratch" in nul["message"]["en"]
    blank = run_code(question, "  \n", "", executor=inprocess, seed=1)  # a blank editor runs
    assert blank["termination"] == "ok"
    assert blank["examples"][0]["error"]["type"] == "AttributeError"


def test_the_cli_prints_one_json_object(tmp_path, capsys):
    from grader.cli import main

    from .conftest import BUNDLE

    code = tmp_path / "pool.py"
    code.write_text("def nothing():\n    pass\n")
    status = main(["run", str(BUNDLE), "pooling", str(code), "--scratch", "print('hi')\n40 + 2",
                   "--executor", "inprocess", "--seed", "5"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert result["termination"] == "ok" and result["output"] == "hi\n"
    assert result["scratch"]["value"] == {"repr": "42"}
    assert [example["passed"] for example in result["examples"]] == [False, False]
    assert main(["run", str(BUNDLE), "pooling", str(tmp_path / "missing.py")]) == 2


def test_the_runs_seed_makes_the_scratch_cells_randomness_reproducible(bundle, inprocess):
    question = with_examples(bundle, EXAMPLE)

    def draw(seed):
        result = run_code(question, "x = 1\n", "np.random.rand(3)", executor=inprocess, seed=seed)
        return result["scratch"]["value"]["text"]

    assert draw(11) == draw(11) != draw(12)
