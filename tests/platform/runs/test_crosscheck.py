"""Cross-checks on the Run panel: the student's code on their own numbers of a numeric question of
the same assignment, next to their answer (platform/runs/crosscheck.py over grader/crosscheck.py).
In-process grader: the pipeline only."""

from __future__ import annotations

from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment
from assessments.seeds import student_seed
from django.test import Client
from django.urls import reverse
from runs.crosscheck import crosscheck_inputs
from runs.services import run_create
from runs.worker import run_execute
from submissions.services.quiz import quiz_answer_create

from grader.api import load_question
from kinds import get_kind

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "assignments" / "ch07-cnn"


@pytest.fixture
def chapter(course, inprocess):  # type: ignore[no-untyped-def]
    bundle_load(path=BUNDLE, course=course)
    return Assignment.objects.get(course=course, slug="ch07-cnn")


def oh_of(student, chapter) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    numeric = chapter.questions.get(slug="output-size")
    variables = get_kind("numeric").variant(numeric.current_version.spec,
                                            student_seed(user_id=student.pk, question_id=numeric.pk))
    return variables, (variables["H"] + 2 * variables["P"] - variables["F"]) // variables["S"] + 1


def run_panel(student, question, code: str) -> str:  # type: ignore[no-untyped-def]
    run, _sent = run_create(user=student, question=question, code=code, scratch="")
    assert run_execute(run_id=run.pk, worker="w/1") == "done"
    client = Client()
    client.force_login(student)
    return client.get(reverse("runs:status", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en").json()["html"]


def test_the_students_own_variant_and_latest_answer_are_used(student, fellow, chapter):
    convolution = chapter.questions.get(slug="convolution")
    code_question = load_question(BUNDLE, "convolution")
    variables, _oh = oh_of(student, chapter)
    inputs = crosscheck_inputs(user_id=student.pk, question=convolution, code_question=code_question)
    assert inputs.args == {"output-height": {k: variables[k] for k in ("H", "F", "P", "S")}}
    assert inputs.context["output-height"]["answer"] is None
    quiz_answer_create(user=student, question=chapter.questions.get(slug="output-size"), data={"value": ["7"]})
    again = crosscheck_inputs(user_id=student.pk, question=convolution, code_question=code_question)
    assert again.context["output-height"]["answer"] == 7.0
    other = crosscheck_inputs(user_id=fellow.pk, question=convolution, code_question=code_question)
    assert other.context["output-height"]["answer"] is None  # answers are per student


def test_a_wrong_answer_is_flagged_against_the_code(student, chapter):
    convolution = chapter.questions.get(slug="convolution")
    variables, oh = oh_of(student, chapter)
    quiz_answer_create(user=student, question=chapter.questions.get(slug="output-size"), data={"value": [str(oh + 1)]})
    html = run_panel(student, convolution, convolution.current_version.files["reference"])
    shown = html[html.index("Your code gives output height OH"):]
    assert shown.startswith(f"Your code gives output height OH = {oh} for ")
    for name in ("H", "F", "P", "S"):  # in the spec's order (PostgreSQL's jsonb may sort them)
        assert f"{name} = {variables[name]}" in shown.split(";")[0]
    assert f"was {oh + 1}." in html and 'data-agree="no"' in html


def test_an_answer_that_agrees_with_the_code_says_so(student, chapter):
    convolution = chapter.questions.get(slug="convolution")
    _variables, oh = oh_of(student, chapter)
    quiz_answer_create(user=student, question=chapter.questions.get(slug="output-size"), data={"value": [str(oh)]})
    html = run_panel(student, convolution, convolution.current_version.files["reference"])
    assert 'data-agree="yes"' in html and "they agree" in html


def test_unfinished_code_says_it_could_not_compute(student, chapter):
    convolution = chapter.questions.get(slug="convolution")
    html = run_panel(student, convolution, convolution.current_version.template)
    assert "could not compute output height OH" in html and 'data-agree="unknown"' in html
