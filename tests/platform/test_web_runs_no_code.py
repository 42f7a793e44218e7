"""The web process never runs student code: every page and button works with the sandbox out of
its reach (as in the compose stack, where the web runs unprivileged and only workers may start
sandboxes). Grading of any kind — a submission, an authoring run, a regrade — is a job row that a
worker takes (``core.jobs``); here no worker runs, and every way into the grader explodes."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from submissions.models import Submission

from tests.platform.conftest import CORRECT_SCALE


class SandboxOutOfReach(AssertionError):
    pass


def _explode(*_args: object, **_kwargs: object) -> None:
    raise SandboxOutOfReach("the web process tried to run code")


@pytest.fixture
def no_sandbox(settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import authoring.worker
    import core.executor
    import runs.worker
    import scoring.regrade.grading
    import submissions.services.grade

    import grader.api
    import grader.sandbox

    settings.GRADER_EXECUTOR = "sandbox"
    monkeypatch.setattr(grader.sandbox, "default_executor", _explode)
    monkeypatch.setattr(core.executor, "executor_get", _explode)
    for module in (grader.api, authoring.worker, scoring.regrade.grading, submissions.services.grade):
        monkeypatch.setattr(module, "grade_code", _explode)
    monkeypatch.setattr(runs.worker, "grader_functions", _explode)  # grader.run (the Run button)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every task the web hands to the broker, by task name (no worker takes them here)."""
    from authoring.tasks import run_draft
    from runs.tasks import execute_run
    from scoring.tasks import regrade_item
    from submissions.tasks import grade_submission

    sent: list[tuple[str, int]] = []
    for task in (grade_submission, regrade_item, run_draft, execute_run):
        monkeypatch.setattr(task, "apply_async",
                            lambda args, _name=task.name, **_: sent.append((_name, args[0])))
    return sent


@pytest.fixture
def storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    from tests.platform.authoring.helpers import storage_in

    return storage_in(settings, tmp_path)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_every_page_and_button_works_without_the_sandbox(
    no_sandbox, sent, course, instructor, student, code_question, quiz_question, storage,
    django_capture_on_commit_callbacks,
):
    me = _client(student)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = me.post(reverse("submissions:submit", args=[code_question.pk]),
                            data=json.dumps({"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())}),
                            content_type="application/json")
    assert submitted.status_code == 202, submitted.content
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.QUEUED and ("submissions.tasks.grade_submission", submission.pk) in sent
    # The Run button: a job for the `run` queue, never code run here.
    with django_capture_on_commit_callbacks(execute=True):
        ran = me.post(reverse("runs:start", args=[code_question.pk]),
                      data=json.dumps({"code": CORRECT_SCALE, "scratch": "scale(1, 2)"}),
                      content_type="application/json")
    assert ran.status_code == 202, ran.content
    assert ("runs.tasks.execute_run", ran.json()["id"]) in sent
    assert me.get(ran.json()["status_url"]).json()["status"] == "queued"
    student_pages = [
        reverse("courses:list"), reverse("courses:detail", args=[course.pk]),
        reverse("assessments:assignment", args=[course.pk, code_question.assignment_id]),
        reverse("assessments:question", args=[code_question.pk]),
        reverse("assessments:question", args=[quiz_question.pk]),
        reverse("submissions:status", args=[submission.pk]),
        reverse("submissions:code", args=[submission.pk]),
    ]
    for url in student_pages:
        assert me.get(url).status_code == 200, url
    answered = me.post(reverse("assessments:question", args=[quiz_question.pk]), {"choice": "right"})
    assert answered.status_code in (200, 302), "a quiz answer is graded on the spot by its kind, no sandbox"

    # Staff: pages, and the buttons that grade (authoring runs, a regrade) become jobs.
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.GRADED, score=1.0, raw_score=1.0,
                                                      results={"status": "passed", "score": 1, "max_score": 1,
                                                               "checks": []})
    staff = _client(instructor)
    staff_pages = [
        reverse("gradebook:table", args=[course.pk]),
        reverse("gradebook:student", args=[course.pk, student.pk]),
        reverse("scoring:overview", args=[course.pk]),
        reverse("scoring:question_regrade", args=[course.pk, code_question.pk]),
        reverse("grading:queue", args=[course.pk]),
        reverse("insights:course", args=[course.pk]),
        reverse("insights:question", args=[course.pk, code_question.pk]),
        reverse("insights:similarity", args=[course.pk, code_question.pk]),
        reverse("insights:live", args=[course.pk]),
        reverse("assessments:question_submissions", args=[code_question.pk]),
        reverse("authoring:index", args=[course.pk]),
    ]
    for url in staff_pages:
        assert staff.get(url).status_code == 200, url
    with django_capture_on_commit_callbacks(execute=True):
        regrade = staff.post(reverse("scoring:question_regrade", args=[course.pk, code_question.pk]))
    assert regrade.status_code == 302 and any(name == "scoring.tasks.regrade_item" for name, _ in sent)

    staff.post(reverse("authoring:bundle_copy", args=[course.pk, code_question.assignment_id]))
    editor = reverse("authoring:question", args=[course.pk, "mini", "scale"])
    page = staff.get(editor)
    assert page.status_code == 200
    data = {name: page.context["form"][name].value() or "" for name in page.context["form"].fields}
    run_url = reverse("authoring:question_run", args=[course.pk, "mini"])
    for extra in ({"action": "reference"}, {"action": "try", "student_code": CORRECT_SCALE}):
        with django_capture_on_commit_callbacks(execute=True):
            started = staff.post(run_url, {**data, **extra})
        assert started.status_code == 202, started.content
        body = started.json()
        assert ("authoring.tasks.run_draft", body["run"]) in sent
        assert staff.get(body["status_url"]).json()["status"] == "queued"
