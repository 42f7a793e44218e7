"""Grading end to end with the in-process executor (no isolation; the sandbox has its own tests)."""

import numpy as np
import pytest

from grader import result as r
from grader.api import grade_code
from grader.job import KILLED, OK, TIMEOUT, CaseResult, JobResult

GOOD = 'NAMES = ["b", "a"]\ndef scale(x, k):\n    print("hi")\n    return k * x\n'


def grade(question, code, executor, seed=1):
    return grade_code(question, code, seed=seed, executor=executor)


def test_a_correct_solution_gets_full_marks_and_its_output(mini_question, inprocess):
    result = grade(mini_question, GOOD, inprocess)
    assert result.status == r.PASSED
    assert result.score == result.max_score == 3.0
    assert result.output.startswith("hi\n")
    assert result.seed == 1 and result.timings["total_ms"] > 0


def test_a_wrong_answer_says_where_and_by_how_much(mini_question, inprocess):
    result = grade(mini_question, 'NAMES = ["a", "b"]\ndef scale(x, k):\n    return x + k\n', inprocess)
    small = result.checks[0]
    assert result.status == r.PARTIAL and result.score == 1.0
    assert not small.passed and "first mismatch at index (0,)" in small.message
    assert small.hint == "Multiply by k."


def test_partial_credit_within_a_check(mini_question, inprocess):
    # dx matches the reference's 3*dout only if scale multiplies; a wrong-but-self-consistent
    # scale passes the gradient check's selfgrad item and fails its allclose item.
    code = 'NAMES = ["a", "b"]\ndef scale(x, k):\n    return 2 * k * x\n'
    gradient = grade(mini_question, code, inprocess).checks[2]
    assert gradient.score == pytest.approx(0.5)


def test_syntax_errors_name_the_line(mini_question, inprocess):
    result = grade(mini_question, "def scale(x, k):\n    return x *\n", inprocess)
    assert result.status == r.SYNTAX_ERROR
    assert "line 2" in result.message
    assert result.score == 0 and all(not c.passed for c in result.checks)


def test_exceptions_show_only_the_students_own_lines(mini_question, inprocess):
    code = "def helper(x):\n    return x[100]\n\ndef scale(x, k):\n    return helper(x)\n"
    check = grade(mini_question, code, inprocess).checks[0]
    assert check.message.startswith("IndexError")
    assert 'File "submission.py", line 2, in helper' in check.message
    assert "probes.py" not in check.message and "grader" not in check.message


def test_errors_while_loading_are_runtime_errors(mini_question, inprocess):
    result = grade(mini_question, "import sys\nsys.exit(3)\n", inprocess)
    assert result.status == r.RUNTIME_ERROR and "SystemExit" in result.message


def test_non_numeric_results_fail_the_check_with_a_reason(mini_question, inprocess):
    code = "def scale(x, k):\n    return [object()] * len(x)\n"
    assert "expected a numeric array" in grade(mini_question, code, inprocess).checks[0].message


def test_rejected_files_are_a_verdict(mini_question, inprocess):
    result = grade(mini_question, b"\xff\xff", inprocess)
    assert result.status == r.REJECTED and "UTF-8" in result.message


def test_hidden_checks_lose_their_details_in_the_public_view(mini_question, inprocess):
    public = grade(mini_question, "def scale(x, k):\n    return x\n", inprocess).public_dict()
    hidden = [c for c in public["checks"] if c["hidden"]]
    assert hidden and hidden[0]["message"] == "hidden check failed" and hidden[0]["details"] == {}


def test_same_seed_same_inputs_other_seed_other_inputs(mini_question, inprocess):
    code = "def scale(x, k):\n    print(float(x[0]))\n    return x * k\n"
    first = grade(mini_question, code, inprocess, seed=5).output
    assert grade(mini_question, code, inprocess, seed=5).output == first
    assert grade(mini_question, code, inprocess, seed=6).output != first


class ScriptedExecutor:
    """Plays back a fixed student result; runs the reference in-process."""

    def __init__(self, inner, student: JobResult):
        self.inner, self.student = inner, student

    def run(self, job):
        return self.inner.run(job) if job.filename == "reference.py" else self.student

    def close(self):
        pass


def test_a_job_that_dies_midway_keeps_earlier_checks_and_says_why(mini_question, inprocess):
    first = mini_question.checks[0].name
    reference = inprocess.run(
        __import__("grader.job", fromlist=["JobSpec"]).JobSpec(
            code=mini_question.reference, filename="reference.py", probes=mini_question.probes,
            cases=mini_question.case_specs(9), textbook=()))
    student = JobResult(termination=TIMEOUT, cases={first: reference.cases[first]})
    result = grade(mini_question, GOOD, ScriptedExecutor(inprocess, student), seed=9)
    assert result.status == r.TIMEOUT
    assert result.checks[0].passed and not result.checks[1].passed
    assert "ran out of time" in result.checks[1].message


def test_a_job_that_lies_on_the_channel_is_a_crash(mini_question, inprocess):
    fake = CaseResult(name=mini_question.checks[0].name, arrays={"out": np.zeros(4)})
    student = JobResult(termination=KILLED, cases={fake.name: fake}, detail="protocol")
    result = grade(mini_question, GOOD, ScriptedExecutor(inprocess, student), seed=3)
    assert result.status == r.CRASHED and result.score == 0
    assert OK != KILLED


def test_prints_during_a_hidden_check_are_not_shown(mini_question, inprocess):
    # The hidden gradient check calls scale with n=3; a print there would reveal its inputs.
    code = 'import os\ndef scale(x, k):\n    print("len", len(x))\n    os.write(1, b"raw\\n")\n    return k * x\n'
    output = grade(mini_question, code, inprocess).output
    assert "len 4" in output
    assert "len 3" not in output
