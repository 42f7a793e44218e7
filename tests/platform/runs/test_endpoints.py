"""POST /api/questions/<id>/runs and GET /api/runs/<id>: who may run, what is refused, and that a
run is never a submission (no attempt, no history, nothing for staff)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from runs.models import CodeRun
from submissions.models import Submission

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.runs.conftest import post_json


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _start(client, question, body=None, *, capture=None):  # type: ignore[no-untyped-def]
    url = reverse("runs:start", args=[question.pk])
    body = {"code": CORRECT_SCALE, "scratch": "x = 1\nx"} if body is None else body
    if capture is None:
        return post_json(client, url, body)
    with capture(execute=True):
        return post_json(client, url, body)


def test_a_run_is_stored_sent_to_the_run_queue_and_answered_202(
    student, code_question, run_queue, django_capture_on_commit_callbacks,
):
    response = _start(_client(student), code_question, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    body = response.json()
    run = CodeRun.objects.get()
    assert body["id"] == run.pk and body["status"] == "queued" and body["message"] == ""
    assert body["status_url"] == reverse("runs:status", args=[run.pk])
    assert run_queue.sent == [run.pk] and run_queue.queues == ["run"]
    assert run.code == CORRECT_SCALE and run.scratch == "x = 1\nx" and run.version_id == code_question.current_version_id


def test_a_run_is_not_a_submission_and_changes_no_attempt_or_history(
    student, code_question, django_capture_on_commit_callbacks,
):
    me = _client(student)
    page_before = me.get(reverse("assessments:question", args=[code_question.pk]))
    for _ in range(3):
        assert _start(me, code_question, capture=django_capture_on_commit_callbacks).status_code == 202
    assert Submission.objects.count() == 0
    page_after = me.get(reverse("assessments:question", args=[code_question.pk]))
    assert page_after.context["attempts_left"] == page_before.context["attempts_left"]
    assert list(page_after.context["history"]) == []


def test_the_question_page_has_the_run_button_and_scratch_cell(student, code_question):
    page = _client(student).get(reverse("assessments:question", args=[code_question.pk]))
    html = page.content.decode()
    assert 'id="run-code"' in html and 'id="run-scratch"' in html and 'id="run-config"' in html
    assert "Ctrl+&#x27;" in html or "Ctrl+'" in html  # the shortcut is in the button's title
    assert "np.arange(16.).reshape(1, 1, 4, 4)" in html
    assert reverse("runs:start", args=[code_question.pk]) in html


def test_a_broker_outage_keeps_the_run_and_says_so(student, code_question, run_queue,
                                                   django_capture_on_commit_callbacks):
    run_queue.down = True
    me = _client(student)
    response = _start(me, code_question, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert CodeRun.objects.get().enqueued_at is None
    assert me.get(response.json()["status_url"]).json()["message"]  # "starts when the runner is back"


@pytest.mark.parametrize(("body", "status"), [
    ({"code": 5}, 400),
    ({"code": CORRECT_SCALE, "scratch": ["x"]}, 400),
    ({"code": "x" * (256 * 1024 + 1)}, 413),
    ({"code": CORRECT_SCALE, "scratch": "y" * (8 * 1024 + 1)}, 413),
    ({"code": "   ", "scratch": "  "}, 400),
    ({"code": "a = 1\x00"}, 400),
    ({"code": CORRECT_SCALE, "scratch": "x\x00"}, 400),
])
def test_bad_bodies_are_refused_with_a_message(student, code_question, body, status):
    response = _start(_client(student), code_question, body)
    assert response.status_code == status, response.content
    assert response.json()["error"]
    assert CodeRun.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(student, code_question):
    response = _client(student).post(reverse("runs:start", args=[code_question.pk]), {"code": "x"})
    assert response.status_code == 415


def test_only_code_in_the_scratch_cell_is_enough(student, code_question):
    assert _start(_client(student), code_question, {"code": "", "scratch": "1 + 1"}).status_code == 202


def test_runs_are_rate_limited_per_student_with_a_clear_message(student, fellow, code_question, settings):
    settings.RUN_RATE_PER_MINUTE = 3
    me = _client(student)
    for _ in range(3):
        assert _start(me, code_question).status_code == 202
    refused = _start(me, code_question)
    assert refused.status_code == 429 and refused.json()["error"]
    assert _start(_client(fellow), code_question).status_code == 202  # per student
    # Submitting is counted apart: runs do not use up the submit limit.
    submitted = post_json(me, reverse("submissions:submit", args=[code_question.pk]),
                          {"code": CORRECT_SCALE, "idempotency_key": "key-after-runs-1"})
    assert submitted.status_code == 202


@pytest.mark.parametrize(("lang", "word"), [("ko", "실행"), ("en", "Run")])
def test_the_rate_limit_message_is_in_the_readers_language(student, code_question, settings, lang, word):
    settings.RUN_RATE_PER_MINUTE = 0
    refused = _client(student).post(reverse("runs:start", args=[code_question.pk]), data='{"code": "a = 1"}',
                                    content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)
    assert refused.status_code == 429 and word in refused.json()["error"]


def test_a_quiz_question_cannot_be_run(student, quiz_question):
    response = _start(_client(student), quiz_question)
    assert response.status_code == 400 and response.json()["error"]


def test_anonymous_gets_401_and_strangers_404(outsider, code_question):
    assert _start(Client(), code_question).status_code == 401
    assert _start(_client(outsider), code_question).status_code == 404
    assert CodeRun.objects.count() == 0


def test_a_run_is_allowed_after_the_attempts_are_used_up(student, code_question):
    assignment = code_question.assignment
    assignment.max_attempts = 1
    assignment.save()
    Submission.objects.create(user=student, question=code_question, version=code_question.current_version,
                              idempotency_key="key-used-0001", code=CORRECT_SCALE, seed=1, attempt=1,
                              status=Submission.Status.GRADED, counts_as_attempt=True)
    assert _start(_client(student), code_question).status_code == 202


def test_an_unpublished_assignment_cannot_be_run_by_students(student, code_question):
    assignment = code_question.assignment
    assignment.published = False
    assignment.save()
    assert _start(_client(student), code_question).status_code == 404


def test_only_the_owner_sees_a_run(student, fellow, instructor, code_question):
    me = _client(student)
    run_id = _start(me, code_question).json()["id"]
    url = reverse("runs:status", args=[run_id])
    assert me.get(url).status_code == 200
    for other in (fellow, instructor):
        assert _client(other).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    assert me.post(url).status_code == 405


def test_the_status_of_a_waiting_run(student, code_question):
    me = _client(student)
    url = _start(me, code_question).json()["status_url"]
    body = me.get(url).json()
    assert body["status"] == "queued" and body["final"] is False and body["html"] is None
