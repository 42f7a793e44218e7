"""Hostile code pressed through Run, in the real sandbox: every attack ends as a clean, bounded
result dict (never an exception out of ``run_code``), and the next Run on the same executor works."""

import json
import time

import pytest

from grader.run import MAX_REPR_CHARS, MAX_RESULT_CHARS, run_code

GOOD_OUTPUT = "[[[[19. 24.]\n   [26. 17.]]]]"

GIANT = ("import numpy as np\nclass Convolution:\n    def __init__(self, W, b, stride=1, pad=0):\n"
         "        pass\n    def forward(self, x):\n        return np.zeros(({size}, {size}))\n")
# (module code, scratch cell, terminations allowed)
ATTACKS = {
    "prints megabytes at import": ("import sys\nfor _ in range(200):\n    sys.stdout.write('x' * 100_000)\n",
                                   "", {"output"}),
    "prints megabytes of control characters": ("", "print('\\x01\\x1b' * 400_000)", {"output", "ok"}),
    "returns a giant array from forward": (GIANT.format(size=1000), "", {"protocol"}),  # 8 MB
    "returns more data than a result may hold": (GIANT.format(size=2000), "", {"output"}),  # 32 MB
    "forges the result channel": ("import os\nos.write(3, b'H\\x00\\x00\\x00\\x05{bad}' * 1000)\nos._exit(0)\n",
                                  "", {"protocol", "killed"}),
    # the job is PID 1 of its namespace: its own SIGKILL is ignored, and the run goes on
    "kills itself": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "", {"killed", "ok"}),
    "exits at import": ("import sys\nsys.exit(0)\n", "", {"ok"}),
    "exits in the scratch cell": ("", "import os\nos._exit(0)", {"killed"}),
    "fork bomb": ("", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
                  {"timeout", "killed", "memory"}),
    "memory bomb": ("", "x = [bytearray(10**6) for _ in range(100_000)]", {"memory", "ok"}),
    "sleeps forever": ("", "import time\ntime.sleep(10**6)", {"timeout"}),
    "endless recursion in scratch": ("", "def f():\n    return f()\nf()", {"ok"}),
    "huge repr": ("", "'x' * 10**7", {"ok"}),
    "a repr that raises": ("", "class A:\n    def __repr__(self):\n        raise ValueError('no')\nA()", {"ok"}),
    "a huge exception message": ("", "raise ValueError('m' * 10**6)", {"ok"}),
    "replaces numpy inside the probe": ("", "np.asarray = None\nnp.ascontiguousarray = None\n[1, 2, 3]", {"ok"}),
    "an enormous scratch array": ("", "np.ones(10**8, dtype=np.int8)", {"ok", "memory"}),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_hostile_runs_end_as_a_clean_bounded_result(questions, zygote, name):
    code, scratch, allowed = ATTACKS[name]
    question = questions["convolution"]
    started = time.monotonic()
    result = run_code(question, code or question.reference, scratch, executor=zygote, seed=3)
    assert time.monotonic() - started < 30
    text = json.dumps(result, ensure_ascii=False, allow_nan=False)
    assert len(text) <= MAX_RESULT_CHARS
    assert result["termination"] in allowed, (result["termination"], result["message"])
    assert set(result) == {"termination", "message", "output", "output_truncated", "error", "examples",
                           "scratch", "ms"}
    if result["termination"] != "ok":
        assert result["message"]["ko"] and result["message"]["en"]
    scratch_result = result["scratch"]
    if scratch_result["error"] is not None:
        assert len(scratch_result["error"]["message"]) <= 4000
        assert len(scratch_result["error"]["traceback"]) <= 30
    if isinstance(scratch_result["value"], dict) and "repr" in scratch_result["value"]:
        assert len(scratch_result["value"]["repr"]) <= MAX_REPR_CHARS + 1
    # the same executor runs the next (correct) Run normally
    after = run_code(question, question.reference, "", executor=zygote, seed=3)
    assert after["termination"] == "ok" and all(example["passed"] for example in after["examples"])


def test_sys_exit_at_import_is_a_load_error(questions, zygote):
    result = run_code(questions["pooling"], "import sys\nsys.exit(3)\n", "", executor=zygote, seed=1)
    assert result["error"]["type"] == "SystemExit" and result["error"]["line"] == 2


def test_a_giant_array_says_it_was_too_large(questions, zygote):
    for attack in ("returns a giant array from forward", "returns more data than a result may hold"):
        code, scratch, _ = ATTACKS[attack]
        result = run_code(questions["convolution"], code, scratch, executor=zygote, seed=1)
        assert result["termination"] in ("protocol", "output")
        assert "MB" in result["message"]["en"] and "MB" in result["message"]["ko"]


def test_a_flood_of_escaped_characters_is_cut_to_the_budget(questions, zygote):
    question = questions["convolution"]
    result = run_code(question, question.reference, "print('\\x01' * 40_000)", executor=zygote, seed=1)
    assert len(json.dumps(result, allow_nan=False)) <= MAX_RESULT_CHARS
    assert result["output_truncated"] is True
    assert arrays_text(result) == GOOD_OUTPUT  # what a person reads first stays


def arrays_text(result):
    return {entry["key"]: entry for entry in result["examples"][0]["arrays"]}["out"]["student"]["text"]
