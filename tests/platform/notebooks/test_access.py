"""Who may download: whoever can open the question (members; students only once the assignment is
published and open), staff anything of their course; and the web process still runs no code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.platform.notebooks.conftest import client_for


def urls(question):  # type: ignore[no-untyped-def]
    assignment = question.assignment
    return [reverse("notebooks:question", args=[question.pk]), reverse("notebooks:common", args=[question.pk]),
            reverse("notebooks:assignment", args=[assignment.course_id, assignment.pk])]


def test_members_download_outsiders_get_404(student, outsider, convolution):
    for url in urls(convolution):
        assert client_for(student).get(url).status_code == 200
        assert client_for(outsider).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(convolution):
    for url in urls(convolution):
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    response = Client().post(reverse("notebooks:extract", args=[convolution.pk]))
    assert response.status_code == 401


def test_students_wait_for_the_opening_staff_do_not(student, instructor, ch07, convolution):
    ch07.opens_at = timezone.now() + timedelta(days=2)
    ch07.save()
    for url in urls(convolution):
        assert client_for(student).get(url).status_code == 404
        assert client_for(instructor).get(url).status_code == 200
    assert client_for(student).post(reverse("notebooks:extract", args=[convolution.pk])).status_code == 404


def test_unpublished_and_inactive_are_staff_only(student, instructor, ch07, convolution):
    convolution.active = False
    convolution.save()
    url = reverse("notebooks:question", args=[convolution.pk])
    assert client_for(student).get(url).status_code == 404
    assert client_for(instructor).get(url).status_code == 200
    ch07.published = False
    ch07.save()
    assignment_url = reverse("notebooks:assignment", args=[ch07.course_id, ch07.pk])
    assert client_for(student).get(assignment_url).status_code == 404
    assert client_for(instructor).get(assignment_url).status_code == 200


def test_quiz_questions_have_no_notebook(student, ch07):
    quiz = ch07.questions.exclude(kind="code").first()
    assert client_for(student).get(reverse("notebooks:question", args=[quiz.pk])).status_code == 404


def test_an_assignment_without_code_questions_has_no_notebook(student, quiz_assignment):
    url = reverse("notebooks:assignment", args=[quiz_assignment.course_id, quiz_assignment.pk])
    assert client_for(student).get(url).status_code == 404


@pytest.fixture
def no_sandbox(settings, monkeypatch):  # type: ignore[no-untyped-def]
    import core.executor

    import grader.run
    import grader.sandbox

    def explode(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the web process tried to run code")

    settings.GRADER_EXECUTOR = "sandbox"
    monkeypatch.setattr(grader.sandbox, "default_executor", explode)
    monkeypatch.setattr(core.executor, "executor_get", explode)
    monkeypatch.setattr(grader.run, "expected_examples", explode)
    monkeypatch.setattr(grader.run, "run_code", explode)


def test_downloads_and_uploads_run_no_code(no_sandbox, student, ch07, convolution):
    client = client_for(student)
    for url in urls(convolution):
        assert client.get(url).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = b"class Convolution:\n    raise SystemExit('ran!')\n"
    response = client.post(reverse("notebooks:extract", args=[convolution.pk]),
                           {"notebook": SimpleUploadedFile("c.py", raw)})
    assert response.status_code == 200 and "SystemExit" in response.json()["code"]
