"""Deferred probe values (``harness.tools.deferred``): computed only on the side a check reads
them from. The reference's job skips a gradient check's finite differences; the student's never."""

import textwrap

import pytest

from grader import result as r
from grader import runner
from grader.api import grade_code
from grader.job import OK, CaseSpec, JobSpec, Limits
from grader.sandbox import sandbox_available

PROBES = textwrap.dedent("""
    import time

    from grader.harness.tools import deferred


    def probe(sub, rng):
        def slow():
            time.sleep(0.05)
            return sub.VALUE + 1
        return {"eager": sub.VALUE, "later": deferred(slow)}


    def failing(sub, rng):
        return {"eager": sub.VALUE, "later": deferred(lambda: sub.VALUE / 0)}
""")


def job(*cases: CaseSpec) -> JobSpec:
    return JobSpec(code="VALUE = 41\n", filename="submission.py", probes=PROBES, cases=cases,
                   textbook=(), limits=Limits(cpu_seconds=2, wall_seconds=4, memory_mb=256))


def executors(inprocess):
    yield inprocess
    if sandbox_available()[0]:
        from grader.sandbox import default_executor

        yield default_executor()


def test_a_deferred_value_is_computed_after_the_probe_and_timed_with_its_case(inprocess):
    for executor in executors(inprocess):
        result = executor.run(job(CaseSpec("kept", "probe", {}, 1), CaseSpec("skipped", "probe", {}, 1, skip=("later",))))
        assert result.termination == OK, result.detail
        kept, skipped = result.cases["kept"], result.cases["skipped"]
        assert kept.arrays["later"].item() == 42 and kept.arrays["eager"].item() == 41
        assert "later" not in skipped.arrays and skipped.arrays["eager"].item() == 41
        assert kept.ms >= 45 > skipped.ms, (kept.ms, skipped.ms)


def test_skip_never_drops_a_value_that_was_not_deferred(inprocess):
    result = inprocess.run(job(CaseSpec("case", "probe", {}, 1, skip=("eager", "later"))))
    assert set(result.cases["case"].arrays) == {"eager"}


def test_a_deferred_value_that_raises_is_its_cases_error(inprocess):
    for executor in executors(inprocess):
        result = executor.run(job(CaseSpec("case", "failing", {}, 1), CaseSpec("skipped", "failing", {}, 1, skip=("later",))))
        assert result.cases["case"].error["type"] == "ZeroDivisionError"
        assert result.cases["skipped"].error is None


def test_the_reference_skips_what_only_the_students_side_is_read_for(mini_question, inprocess):
    cases = {case.name: case for case in mini_question.reference_case_specs(5)}
    # selfgrad reads both gradients from the student; allclose reads dx from both sides
    assert cases["scale · gradient"].skip == ("dx_num",)
    assert cases["scale · small"].skip == cases["scale · keys"].skip == ()
    assert all(case.skip == () for case in mini_question.case_specs(5))
    reference = inprocess.run(runner.reference_job(mini_question, tuple(cases.values())))
    assert set(reference.cases["scale · gradient"].arrays) == {"dx"}


@pytest.mark.parametrize("code, score", [
    ("NAMES = ['b', 'a']\ndef scale(x, k):\n    return k * x\n", 1.0),
    # consistent with itself but not the reference: the selfgrad item still needs the student's
    # own finite differences, computed in the student's job
    ("NAMES = ['b', 'a']\ndef scale(x, k):\n    return 2 * k * x\n", 0.5),
])
def test_grades_read_the_students_finite_differences(mini_question, inprocess, code, score):
    result = grade_code(mini_question, code, seed=3, executor=inprocess)
    gradient = result.checks[2]
    assert gradient.score == pytest.approx(score), gradient.message
    assert result.status in (r.PASSED, r.PARTIAL)
