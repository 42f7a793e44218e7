"""The worker's side of a run (runs.worker) through core.jobs, against a stand-in for grader.run:
claim once, the run's own seed, expected examples cached, failures end the row, and what the
page then shows."""

from __future__ import annotations

import json

import pytest
from assessments.seeds import attempt_seed
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from runs.jobs import CODE_RUNS
from runs.models import CodeRun
from runs.services import run_create, run_seed
from runs.worker import run_execute

from grader.errors import GraderUnavailable
from tests.platform.conftest import CORRECT_SCALE
from tests.platform.runs.conftest import ok_result


def _run(student, code_question, code=CORRECT_SCALE, scratch="x"):  # type: ignore[no-untyped-def]
    run, _sent = run_create(user=student, question=code_question, code=code, scratch=scratch)
    return run


def _payload(student, run, lang="en"):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(student)
    return client.get(reverse("runs:status", args=[run.pk]), HTTP_ACCEPT_LANGUAGE=lang).json()


def test_a_run_is_claimed_once_run_with_its_own_seed_and_stored(student, code_question, fake_grader):
    run = _run(student, code_question)
    assert run_execute(run_id=run.pk, worker="w/1") == "done"
    assert run_execute(run_id=run.pk, worker="w/2") == "not_claimed"
    run.refresh_from_db()
    assert run.status == CodeRun.Status.DONE and run.result["output"] == "hello from print\n"
    [call] = fake_grader.calls
    assert call["code"] == CORRECT_SCALE and call["scratch"] == "x"
    assert call["question"].content_hash == code_question.current_version.content_hash
    graded = attempt_seed(user_id=student.pk, question_id=code_question.pk, attempt=1)
    assert call["seed"] == run.seed == run_seed(user_id=student.pk, question_id=code_question.pk, attempt=1)
    assert call["seed"] != graded
    assert call["expected"] == {"small": {"out": fake_grader.expected_examples(None, executor=None)["small"]["out"]}}


def test_the_expected_examples_are_computed_once_per_question_content(student, code_question, fake_grader):
    cache.clear()
    for _ in range(3):
        run_execute(run_id=_run(student, code_question).pk, worker="w/1")
    assert fake_grader.expected_calls == 1


def test_an_unavailable_sandbox_retries_then_ends_the_run(student, code_question, fake_grader, run_queue):
    fake_grader.result = GraderUnavailable("zygote restarting")
    run = _run(student, code_question)
    policy = CODE_RUNS.retry()
    outcomes = []
    for _ in range(policy.max_tries):
        outcomes.append(run_execute(run_id=run.pk, worker="w/1"))
    assert outcomes == ["requeued"] * (policy.max_tries - 1) + ["failed"]
    run.refresh_from_db()
    assert run.status == CodeRun.Status.ERROR and run.error_message
    assert _payload(student, run)["message"]


def test_a_grader_bug_ends_the_run_with_a_message(student, code_question, fake_grader):
    fake_grader.result = RuntimeError("bug")
    run = _run(student, code_question)
    assert run_execute(run_id=run.pk, worker="w/1") == "failed"
    body = _payload(student, run)
    assert body["status"] == "error" and body["final"] and body["message"]


def test_the_stored_result_is_sanitised_and_capped(student, code_question, fake_grader):
    fake_grader.result = ok_result(output="x" * 200_000 + "\x00", ms=float("nan"))
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    run.refresh_from_db()
    assert len(run.result["output"]) == 64 * 1024 and run.result["output_truncated"] is True
    assert run.result["ms"] is None
    json.dumps(run.result, allow_nan=False)


def test_a_purged_run_is_skipped(student, code_question, fake_grader):
    run = _run(student, code_question)
    CodeRun.objects.filter(pk=run.pk).delete()
    assert run_execute(run_id=run.pk, worker="w/1") == "not_claimed"


def test_the_page_gets_output_arrays_and_scratch_rendered(student, code_question, fake_grader):
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    body = _payload(student, run)
    assert body["status"] == "done" and body["final"] and body["error_line"] is None
    html = body["html"]
    assert "hello from print" in html and "A small example" in html and "(1, 1, 4, 4)" in html
    assert 'data-match="yes"' in html and "float64" in html and "no attempt" in html
    assert "작은 예" in _payload(student, run, "ko")["html"]


def test_output_is_escaped(student, code_question, fake_grader):
    fake_grader.result = ok_result(output="<script>alert(1)</script>")
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    html = _payload(student, run)["html"]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_module_error_gives_its_line_to_the_editor(student, code_question, fake_grader):
    fake_grader.result = ok_result(
        output="", examples=[], scratch={"ran": False, "value": None, "error": None},
        error={"type": "SyntaxError", "message": "invalid syntax", "line": 3, "where": "module",
               "traceback": ['  File "submission.py", line 3\n']},
    )
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    body = _payload(student, run)
    assert body["error_line"] == 3
    assert "SyntaxError" in body["html"] and "line 3" in body["html"] and "in your code" in body["html"]


def test_a_scratch_error_does_not_point_into_the_editor(student, code_question, fake_grader):
    fake_grader.result = ok_result(scratch={"ran": True, "value": None, "error": {
        "type": "NameError", "message": "name 'y' is not defined", "line": 1, "where": "scratch", "traceback": []}})
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    body = _payload(student, run)
    assert body["error_line"] is None and "NameError" in body["html"] and "scratch cell" in body["html"]


@pytest.mark.parametrize(("lang", "words"), [("en", "endless loop"), ("ko", "무한 루프")])
def test_a_timeout_says_what_probably_happened(student, code_question, fake_grader, lang, words):
    fake_grader.result = ok_result(termination="timeout", output="", examples=[],
                                   message={"ko": "시간 제한(4초)을 넘었습니다.", "en": "Stopped after 4 s."})
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    html = _payload(student, run, lang)["html"]
    assert words in html
    assert ("Stopped after 4 s." if lang == "en" else "시간 제한(4초)") in html


def test_a_malformed_result_still_renders(student, code_question, fake_grader):
    fake_grader.result = {"termination": 5, "examples": ["x", {"arrays": [{"student": {"shape": "bad"}}]}],
                          "scratch": {"value": {"repr": "<object>"}, "ran": True}, "error": "text"}
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    body = _payload(student, run)
    assert body["status"] == "done" and "&lt;object&gt;" in body["html"]


def test_code_the_grader_refused_to_run_says_so(student, code_question, fake_grader):
    fake_grader.result = ok_result(termination="rejected", output="", examples=[],
                                   message={"ko": "실행하지 않았습니다: 빈 파일", "en": "Not run: the file is empty"})
    run = _run(student, code_question)
    run_execute(run_id=run.pk, worker="w/1")
    html = _payload(student, run)["html"]
    assert "was not run" in html and "Not run: the file is empty" in html
