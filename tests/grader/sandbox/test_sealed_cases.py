"""Sealed cases (hidden checks): sent only once the job asks, after its output was cut off."""

import textwrap

import pytest

from grader.harness.inprocess import InProcessExecutor
from grader.job import OK, PROTOCOL, CaseSpec
from grader.sandbox import FreshExecutor

from .conftest import job

pytestmark = [pytest.mark.sandbox, pytest.mark.timeout(60)]

PROBES = textwrap.dedent('''
    import numpy as np


    def run(sub, rng, n=0):
        return {"value": np.asarray(sub.run(n))}
''')
OPEN = (CaseSpec(name="open", probe="run", args={"n": 1}, seed=1),)
SEALED = (CaseSpec(name="sealed-7319", probe="run", args={"n": 7319}, seed=2, quiet=True),)


def number(result, case):
    return int(result.cases[case].arrays["value"].reshape(-1)[0])


def sealed_job(code):
    return job(code, probes=PROBES, cases=OPEN, sealed=SEALED)


@pytest.fixture(params=["zygote", "fresh", "inprocess"])
def executor(request, zygote):
    if request.param == "zygote":
        return zygote
    return FreshExecutor() if request.param == "fresh" else InProcessExecutor()


def test_sealed_cases_run_after_the_open_ones(executor):
    result = executor.run(sealed_job("def run(n):\n    print('saw', n)\n    return n * 2\n"))
    assert result.termination == OK, result.detail
    assert number(result, "open") == 2
    assert number(result, "sealed-7319") == 2 * 7319
    assert "saw 1" in result.output


def test_what_a_job_prints_once_it_has_its_sealed_cases_is_never_kept(zygote):
    # a copy of stdout taken at import, written to while a sealed case runs
    code = "import os\nOUT = os.dup(1)\n\ndef run(n):\n    os.write(OUT, f'saw {n}\\n'.encode())\n    return n\n"
    result = zygote.run(sealed_job(code))
    assert result.termination == OK, result.detail
    assert "saw 1" in result.output and "7319" not in result.output
    assert number(result, "sealed-7319") == 7319


def test_a_job_that_never_asks_gets_no_sealed_cases(zygote):
    result = zygote.run(sealed_job("import os\n\ndef run(n):\n    os._exit(0)\n"))
    assert "sealed-7319" not in result.cases and result.termination != OK


def test_open_results_sent_after_the_gate_are_refused(zygote):
    # the job opens the gate itself at import, then the harness reports its open case
    result = zygote.run(sealed_job("import os\nos.write(5, b's')\nSEALED = os.read(6, 65536)\n\n"
                                   "def run(n):\n    return n\n"))
    assert result.termination == PROTOCOL and "open" not in result.cases
