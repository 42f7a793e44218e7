"""Grading end to end with the in-process executor (no isolation; the sandbox has its own tests)."""

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader import result as r
from grader.api import grade_code, load_question
from grader.errors import BundleError
from grader.job import KILLED, OK, TIMEOUT, CaseResult, JobResult

MINI_DIR = Path(__file__).parent / "fixtures" / "mini"
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


# --- requires and selfgrad's forward: checks that must not reward a non-answer ---------------

GATED_PROBES = textwrap.dedent("""
    import numpy as np

    from grader.harness.tools import numerical_gradient


    def scale(sub, rng, *, n, k):
        return {"out": sub.scale(rng.standard_normal(n), k)}


    def grad(sub, rng, *, n):
        x, dout = rng.standard_normal(n), rng.standard_normal(n)
        out = sub.scale(x, 3.0)
        dx = sub.scale(dout, 3.0)  # scale is linear: its backward is itself
        dx_num = numerical_gradient(lambda: float(np.sum(sub.scale(x, 3.0) * dout)), x)
        return {"out": out, "dx": dx, "dx_num": dx_num}
""")

GATED_CHECKS = textwrap.dedent("""
    kind: code
    title: {ko: "배열 스케일", en: "Scale an array"}
    points: 2
    textbook: []
    checks:
      - name: "scale · large"
        probe: scale
        args: {n: 4, k: 2.0}
        compare: [{kind: allclose, key: out}]
      - name: "scale · gradient"
        probe: grad
        args: {n: 3}
        requires: ["scale · large"]
        compare: [{kind: selfgrad, analytic: dx, numeric: dx_num, forward: out}]
        hint: {ko: "미분하세요.", en: "Differentiate."}
""")


def gated_bundle(tmp_path, checks=GATED_CHECKS):
    bundle = tmp_path / "mini"
    shutil.copytree(MINI_DIR, bundle)
    question = bundle / "questions" / "scale"
    (question / "probes.py").write_text(GATED_PROBES, encoding="utf-8")
    (question / "question.yaml").write_text(checks, encoding="utf-8")
    return bundle


@pytest.fixture
def gated_question(tmp_path):
    return load_question(gated_bundle(tmp_path), "scale")


def test_a_check_whose_requirement_failed_scores_nothing_and_says_why(gated_question, inprocess):
    # right for k = 3 only: the gradient check (k = 3) is right by itself, the required one fails
    code = "def scale(x, k):\n    return 3.0 * x\n"
    result = grade_code(gated_question, code, seed=1, executor=inprocess)
    required, gated = result.checks
    assert not required.passed
    assert not gated.passed and gated.score == 0 and result.score == 0
    assert gated.details["withheld_by"] == ["scale · large"] and gated.details["withheld_score"] == 1.0
    assert gated.message.startswith("not counted: this check scores only once «scale · large» passes")
    assert "one forward pass" in gated.message and "numerical gradient of your forward: ok" in gated.message
    korean = grade_code(gated_question, code, seed=1, executor=inprocess, lang="ko").checks[1]
    assert korean.message.startswith("점수에 반영되지 않았습니다") and "«scale · large»" in korean.message


def test_a_check_whose_requirement_passed_scores_as_usual(gated_question, inprocess):
    result = grade_code(gated_question, "def scale(x, k):\n    return k * x\n", seed=1, executor=inprocess)
    assert result.status == r.PASSED and result.score == 2.0
    assert "withheld_by" not in result.checks[1].details


def test_a_failing_gated_check_keeps_its_own_message(gated_question, inprocess):
    result = grade_code(gated_question, "def scale(x, k):\n    return x[::-1] * 0\n", seed=1,
                        executor=inprocess)
    gated = result.checks[1]
    assert "not counted: this check scores only once" not in gated.message
    assert "proves nothing" in gated.message and gated.hint == "Differentiate."


def test_a_gradient_check_of_a_wrong_forward_proves_nothing(gated_question, inprocess):
    # 2*k*x: forward and backward agree with each other, and both are wrong
    result = grade_code(gated_question, "def scale(x, k):\n    return 2 * k * x\n", seed=1,
                        executor=inprocess)
    gated = result.checks[1]
    assert gated.score == 0
    assert "not counted — your forward output (out: 3 of 3 values differ" in gated.message
    assert "a gradient check of a wrong forward proves nothing" in gated.message
    assert "your backward does agree with your forward" in gated.message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the probe's own overflow, on purpose
@pytest.mark.parametrize("value", ["np.nan", "np.inf", "1e308"])
def test_non_finite_or_huge_values_never_agree(gated_question, inprocess, value):
    code = f"import numpy as np\ndef scale(x, k):\n    return np.full(np.shape(x), {value})\n"
    result = grade_code(gated_question, code, seed=1, executor=inprocess)
    assert result.score == 0
    assert all(not check.passed for check in result.checks)
    result.to_dict()  # stored results stay finite JSON


@pytest.mark.parametrize(("requires", "error"), [
    ('["no such check"]', "is not the name of a check"),
    ('["scale · gradient"]', "cannot require itself"),
    ('"scale · large"', "must be a list of check names"),
])
def test_requires_is_validated(tmp_path, requires, error):
    checks = GATED_CHECKS.replace('requires: ["scale · large"]', f"requires: {requires}")
    with pytest.raises(BundleError, match=error):
        load_question(gated_bundle(tmp_path, checks), "scale")


def test_requires_is_one_level_deep(tmp_path):
    checks = GATED_CHECKS.replace('compare: [{kind: allclose, key: out}]',
                                  'requires: ["scale · gradient"]\n    compare: [{kind: allclose, key: out}]')
    with pytest.raises(BundleError, match="one level only"):
        load_question(gated_bundle(tmp_path, checks), "scale")


def test_selfgrad_forward_tolerances_need_a_forward(tmp_path):
    checks = GATED_CHECKS.replace(", forward: out}", ", forward_rtol: 0.1}")
    with pytest.raises(BundleError, match="forward_rtol/forward_atol need forward"):
        load_question(gated_bundle(tmp_path, checks), "scale")


def test_the_reference_cache_is_bounded_in_bytes(monkeypatch):
    """Every code attempt draws a fresh seed, so the cache of reference results must not grow
    with the number of attempts: it keeps at most REFERENCE_CACHE_BYTES of arrays."""
    import numpy as np

    from grader import runner
    from grader.job import OK, CaseResult, JobResult

    monkeypatch.setattr(runner, "REFERENCE_CACHE_BYTES", 10_000)
    monkeypatch.setattr(runner, "_reference_cache", type(runner._reference_cache)())
    monkeypatch.setattr(runner, "_reference_cache_bytes", 0)
    for seed in range(50):
        case = CaseResult("c", arrays={"out": np.zeros(250)})  # 2,000 bytes
        runner._remember("question-hash", seed, JobResult(termination=OK, cases={"c": case}))
    assert runner._reference_cache_bytes <= 10_000
    assert len(runner._reference_cache) == 5
    kept = [seed for (_, seed) in runner._reference_cache]
    assert kept == list(range(45, 50))  # the most recent ones
