"""The Run button in the real sandbox: the public examples side by side with the reference, the
student's prints, load errors and scratch errors with their lines, limits with clear messages."""

import json

import pytest

from grader.run import MAX_RESULT_CHARS, expected_examples, run_code

FLIPPED = ("col_W = self.W.reshape(FN, -1).T", "col_W = self.W[:, :, ::-1, ::-1].reshape(FN, -1).T")
WORKED = "[[[[19. 24.]\n   [26. 17.]]]]"


def run(question, code, scratch="", *, executor, seed=7, **kwargs):
    result = run_code(question, code, scratch, executor=executor, seed=seed, **kwargs)
    json.dumps(result, allow_nan=False)  # strict JSON, as the platform stores it
    assert len(json.dumps(result, ensure_ascii=False)) <= MAX_RESULT_CHARS
    return result


def arrays(example):
    return {entry["key"]: entry for entry in example["arrays"]}


@pytest.mark.parametrize("slug", ["convolution", "pooling", "simple-convnet"])
def test_the_reference_passes_every_public_example(questions, zygote, slug):
    question = questions[slug]
    result = run(question, question.reference, executor=zygote)
    assert result["termination"] == "ok" and result["error"] is None and result["message"] is None
    assert [example["name"] for example in result["examples"]] == [e.name for e in question.examples]
    for example in result["examples"]:
        assert example["passed"] is True, example
        compared = [entry for entry in example["arrays"] if entry["match"] is not None]
        assert compared and all(entry["match"] for entry in compared)
        for entry in example["arrays"]:
            assert entry["student"]["text"] == entry["expected"]["text"]


def test_a_correct_convolution_shows_its_values_next_to_the_expected_ones(questions, zygote):
    question = questions["convolution"]
    expected = expected_examples(question, executor=zygote)
    result = run(question, question.reference, executor=zygote, expected=expected)
    worked = arrays(result["examples"][0])
    assert list(worked) == ["x", "W", "b", "out"]  # the inputs are shown too
    assert worked["x"]["student"]["text"] == "[[[[3. 3. 2.]\n   [0. 5. 1.]\n   [4. 2. 2.]]]]"
    assert worked["out"]["student"]["text"] == worked["out"]["expected"]["text"] == WORKED
    assert worked["out"]["student"]["shape"] == [1, 1, 2, 2]
    assert (worked["out"]["expected"]["min"], worked["out"]["expected"]["max"]) == (17.0, 26.0)
    assert worked["out"]["label"] == "forward output" and worked["out"]["match"] is True
    assert result["examples"][0]["title"]["ko"] and result["examples"][0]["title"]["en"]


def test_a_flipped_filter_shows_the_mismatch(questions, zygote):
    question = questions["convolution"]
    result = run(question, question.reference.replace(*FLIPPED), executor=zygote)
    assert result["termination"] == "ok" and result["error"] is None
    worked = result["examples"][0]
    assert worked["passed"] is False
    out = arrays(worked)["out"]
    assert out["match"] is False and out["expected"]["text"] == WORKED
    assert out["student"]["text"] == "[[[[20. 23.]\n   [25. 19.]]]]"  # 3*2 + 3*3 + 0*2 + 5*1 = 20
    assert arrays(worked)["x"]["match"] is None


def test_prints_of_the_module_the_examples_and_the_scratch_cell_come_back(questions, zygote):
    question = questions["convolution"]
    code = "print('loading my layer')\n" + question.reference.replace(
        "        FN, C, FH, FW = self.W.shape\n        N, C, H, W = x.shape\n",
        "        FN, C, FH, FW = self.W.shape\n        N, C, H, W = x.shape\n"
        "        print('forward', x.shape)\n", 1)
    scratch = ("import sys\nW = np.ones((1, 1, 2, 2))\nprint('in scratch')\nprint('err', file=sys.stderr)\n"
               "Convolution(W, np.zeros(1)).forward(np.arange(9.).reshape(1, 1, 3, 3))")
    result = run(question, code, scratch, executor=zygote)
    output = result["output"]
    assert output.index("loading my layer") < output.index("forward (1, 1, 3, 3)") < output.index("in scratch")
    assert "err" in output and result["output_truncated"] is False
    scratch_result = result["scratch"]
    assert scratch_result["ran"] is True and scratch_result["error"] is None
    assert scratch_result["value"]["text"] == "[[[[ 8. 12.]\n   [20. 24.]]]]"


def test_a_scratch_value_that_is_not_an_array_comes_back_as_its_repr(questions, zygote):
    question = questions["convolution"]
    result = run(question, question.reference, "{'a': 1}", executor=zygote)
    assert result["scratch"]["value"] == {"repr": "{'a': 1}"}
    result = run(question, question.reference, "x = 1", executor=zygote)
    assert result["scratch"] == {"ran": True, "value": None, "error": None}
    result = run(question, question.reference, "", executor=zygote)
    assert result["scratch"] == {"ran": False, "value": None, "error": None}


def test_a_syntax_error_gives_its_line_in_the_students_file(questions, zygote):
    question = questions["convolution"]
    code = "import numpy as np\n\n\nclass Convolution:\n    def forward(self, x:\n        pass\n"
    result = run(question, code, "1 + 1", executor=zygote)
    error = result["error"]
    assert error["where"] == "module" and error["type"] == "SyntaxError" and error["line"] == 5
    assert "def forward(self, x:" in error["traceback"][0]
    assert "line 5" in result["message"]["en"] and "5번째 줄" in result["message"]["ko"]
    assert result["scratch"]["ran"] is False
    assert all(example["passed"] is None and example["error"] is None for example in result["examples"])
    # the student still sees the examples' inputs and expected values
    assert arrays(result["examples"][0])["out"]["expected"]["text"] == WORKED


def test_an_exception_at_import_gives_its_line(questions, zygote):
    question = questions["convolution"]
    code = "import numpy as np\nprint('before')\nscale = 1 / 0\n"
    result = run(question, code, executor=zygote)
    assert result["error"]["type"] == "ZeroDivisionError" and result["error"]["line"] == 3
    assert result["output"] == "before\n"


def test_an_exception_in_the_scratch_cell_gives_the_scratch_line(questions, zygote):
    question = questions["convolution"]
    scratch = "W = np.ones((1, 1, 2, 2))\nlayer = Convolution(W, np.zeros(1))\nlayer.forward(np.ones((3, 3)))\n"
    result = run(question, question.reference, scratch, executor=zygote)
    error = result["scratch"]["error"]
    assert error["where"] == "scratch" and error["type"] == "ValueError" and error["line"] == 3
    assert any('File "scratch", line 3' in line for line in error["traceback"])
    assert any('File "submission.py"' in line for line in error["traceback"])  # into the layer
    assert all(example["passed"] for example in result["examples"])  # examples ran before


def test_a_syntax_error_in_the_scratch_cell_gives_its_line(questions, zygote):
    question = questions["pooling"]
    result = run(question, question.reference, "x = 1\ny = (x +\n", executor=zygote)
    error = result["scratch"]["error"]
    assert (error["type"], error["line"], error["where"]) == ("SyntaxError", 2, "scratch")


def test_an_exception_in_an_example_is_shown_with_the_students_line(questions, zygote):
    question = questions["pooling"]
    code = question.reference.replace("    def forward(self, x):\n",
                                      "    def forward(self, x):\n        raise RuntimeError('not yet')\n", 1)
    result = run(question, code, executor=zygote)
    example = result["examples"][0]
    assert example["passed"] is False and example["error"]["where"] == "example"
    assert example["error"]["message"] == "not yet" and example["error"]["line"] is not None
    assert arrays(example)["out"]["student"] is None and arrays(example)["out"]["expected"] is not None


def test_an_endless_loop_ends_as_a_timeout_with_a_clear_message(questions, zygote):
    question = questions["pooling"]
    result = run(question, question.reference, "while True:\n    pass\n", executor=zygote)
    assert result["termination"] == "timeout"
    assert "5 s" in result["message"]["en"] and "endless loop" in result["message"]["en"]
    assert "5초" in result["message"]["ko"]
    assert result["scratch"]["ran"] is False
    assert all(example["passed"] for example in result["examples"])  # they finished before


def test_a_large_scratch_value_is_summarised(questions, zygote):
    question = questions["convolution"]
    result = run(question, question.reference, "np.arange(100_000.).reshape(100, 1000)", executor=zygote)
    value = result["scratch"]["value"]
    assert value["shape"] == [100, 1000] and value["size"] == 100_000
    assert "..." in value["text"] and len(value["text"]) < 1000
    assert (value["min"], value["max"]) == (0.0, 99_999.0)


def test_a_run_is_about_as_fast_as_a_grading(questions, zygote):
    question = questions["convolution"]
    expected = expected_examples(question, executor=zygote)
    run(question, question.reference, "1", executor=zygote, expected=expected)  # warm
    result = run(question, question.reference, "Convolution", executor=zygote, expected=expected)
    assert result["ms"] < 1000
