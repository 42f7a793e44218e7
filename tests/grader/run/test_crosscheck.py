"""Cross-checks (grader/crosscheck.py): the student's code on their own numbers of a numeric
question, in the Run job; validation of ``crosschecks:`` in question.yaml."""

from __future__ import annotations

import pytest

from grader.crosscheck import parse_crosschecks
from grader.errors import BundleError
from grader.run import run_code

# Padding forgotten everywhere (the formula and im2col): the code runs, with another OH.
NO_PADDING = (("H + 2 * self.pad - FH", "H - FH"), ("W + 2 * self.pad - FW", "W - FW"),
              ("im2col(x, FH, FW, self.stride, self.pad)", "im2col(x, FH, FW, self.stride, 0)"))


def test_the_reference_gives_the_numbers_the_numeric_questions_expect(questions, zygote):
    convolution, network = questions["convolution"], questions["simple-convnet"]
    result = run_code(convolution, convolution.reference, "", executor=zygote, seed=1,
                      crosschecks={"output-height": {"H": 28, "F": 5, "P": 2, "S": 1}})
    (check,) = result["crosschecks"]
    assert check["value"] == 28 and check["error"] is None  # (28 + 4 - 5) // 1 + 1
    assert check["label"]["en"] == "output height OH" and check["args"] == [["H", 28], ["F", 5], ["P", 2], ["S", 1]]
    result = run_code(network, network.reference, "", executor=zygote, seed=1,
                      crosschecks={"pool-output-size": {"I": 28, "FN": 30, "FS": 5, "P": 0}})
    assert result["crosschecks"][0]["value"] == 30 * 12 * 12


def test_a_wrong_output_size_formula_gives_another_number(questions, zygote):
    convolution = questions["convolution"]
    buggy = convolution.reference
    for find, replace in NO_PADDING:
        assert find in buggy
        buggy = buggy.replace(find, replace)
    result = run_code(convolution, buggy, "", executor=zygote, seed=1,
                      crosschecks={"output-height": {"H": 9, "F": 3, "P": 1, "S": 2}})
    assert result["crosschecks"][0]["value"] == 4  # the right one is 5


def test_code_that_fails_says_so_instead_of_a_number(questions, inprocess):
    convolution = questions["convolution"]
    result = run_code(convolution, convolution.template, "", executor=inprocess, seed=1,
                      crosschecks={"output-height": {"H": 9, "F": 3, "P": 1, "S": 2}})
    (check,) = result["crosschecks"]
    assert check["value"] is None and check["error"]


def test_unknown_names_and_arguments_that_are_not_numbers_are_not_run(questions, inprocess):
    convolution = questions["convolution"]
    result = run_code(convolution, convolution.reference, "", executor=inprocess, seed=1,
                      crosschecks={"nope": {"H": 1}, "output-height": {"H": "9", "F": 3, "P": 1, "S": 2}})
    assert [c["error"] for c in result["crosschecks"]] == ["not run"]
    assert "crosschecks" not in run_code(convolution, convolution.reference, "", executor=inprocess, seed=1)


@pytest.mark.parametrize("raw, field", [
    ([{"name": "Bad Name", "question": "q", "probe": "p", "args": {"H": "H"}, "label": {"ko": "a", "en": "a"}}], "name"),
    ([{"name": "a", "question": "", "probe": "p", "args": {"H": "H"}, "label": {"ko": "a", "en": "a"}}], "question"),
    ([{"name": "a", "question": "q", "probe": "missing", "args": {"H": "H"}, "label": {"ko": "a", "en": "a"}}], "probe"),
    ([{"name": "a", "question": "q", "probe": "p", "args": {"H": [1]}, "label": {"ko": "a", "en": "a"}}], "args"),
    ([{"name": "a", "question": "q", "probe": "p", "args": {"H": "H"}, "label": {"ko": "a", "en": "a"}}] * 2, "unique"),
    ({"name": "a"}, "list"),
])
def test_malformed_crosschecks_are_refused_with_the_field(raw, field):
    with pytest.raises(BundleError, match=field):
        parse_crosschecks(raw, "question.yaml", {"p"})


def test_a_spec_resolves_a_students_variables():
    (spec,) = parse_crosschecks([{"name": "a", "question": "q", "probe": "p", "args": {"H": "H", "F": 3},
                                  "label": {"ko": "가", "en": "a"}}], "question.yaml", {"p"})
    assert spec.resolve({"H": 12}) == {"H": 12, "F": 3}
    assert spec.resolve({}) is None
