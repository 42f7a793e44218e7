"""A run through the real grader (grader.run) on chapter 7's `convolution`, in-process (no
isolation: the pipeline only; the sandboxed run is tests/e2e/test_run.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment
from django.test import Client
from django.urls import reverse
from runs.services import run_create
from runs.worker import run_execute

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = (ROOT / "tests" / "e2e" / "solutions" / "convolution.py").read_text()

pytestmark = pytest.mark.skipif(not (ROOT / "grader" / "run.py").exists(), reason="grader/run.py not there yet")


@pytest.fixture
def convolution(course, inprocess):  # type: ignore[no-untyped-def]
    bundle_load(path=ROOT / "assignments" / "ch07-cnn", course=course)
    return Assignment.objects.get(course=course, slug="ch07-cnn").questions.get(slug="convolution")


def _run_and_show(student, question, code, scratch=""):  # type: ignore[no-untyped-def]
    run, _sent = run_create(user=student, question=question, code=code, scratch=scratch)
    assert run_execute(run_id=run.pk, worker="w/1") == "done"
    client = Client()
    client.force_login(student)
    return client.get(reverse("runs:status", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en").json()


def test_a_correct_solution_prints_and_matches_the_examples(student, convolution):
    code = SOLUTION + '\nprint("debug: module loaded")\n'
    body = _run_and_show(student, convolution, code, "x = np.arange(16.).reshape(1, 1, 4, 4)\nx")
    html = body["html"]
    assert "debug: module loaded" in html and "(1, 1, 4, 4)" in html
    assert 'data-match="yes"' in html and 'data-match="no"' not in html and body["error_line"] is None


def test_a_syntax_error_points_at_its_line(student, convolution):
    code = "import numpy as np\n\nclass Convolution:\n    def forward(self, x)\n        return x\n"
    body = _run_and_show(student, convolution, code)
    assert body["error_line"] == 4 and "SyntaxError" in body["html"]
