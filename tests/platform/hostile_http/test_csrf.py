"""Cross-site request forgery: every state-changing endpoint refuses a post without the CSRF token
(403; JSON for /api/*), changes nothing, and accepts the same post with the token (so the 403 is the
CSRF check, not something else)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from courses.models import Course, Enrollment
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from submissions.models import Draft, QuizAnswer, Submission

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.hostile_http.helpers import client_for, error_of, snapshot


@dataclass
class Target:
    name: str
    url: str
    send: Callable[[Client, dict[str, str]], Any]  # (client, extra headers) -> response
    ok_status: int
    changed: Callable[[], bool]


def csrf_token(client: Client) -> str:
    client.get(reverse("courses:list"))  # any page with {% csrf_token %} sets the cookie
    return client.cookies["csrftoken"].value


def targets(course, student, code_question, quiz_question) -> list[Target]:  # type: ignore[no-untyped-def]
    submit = reverse("submissions:submit", args=[code_question.pk])
    draft = reverse("submissions:draft", args=[code_question.pk])
    quiz = reverse("assessments:question", args=[quiz_question.pk])
    other = Course.objects.create(slug="other", title="Other", join_code="OTHER234")

    def send_json(url: str, payload: dict[str, object]) -> Callable[[Client, dict[str, str]], Any]:
        return lambda client, extra: client.post(url, json.dumps(payload), content_type="application/json", **extra)

    def send_form(url: str, data: dict[str, object]) -> Callable[[Client, dict[str, str]], Any]:
        return lambda client, extra: client.post(url, {**data, **extra.get("form", {})},
                                                 **{k: v for k, v in extra.items() if k != "form"})

    return [
        Target("submission", submit, send_json(submit, {"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())}),
               202, lambda: Submission.objects.exists()),
        Target("draft", draft, send_json(draft, {"code": "x = 1\n"}), 200,
               lambda: Draft.objects.filter(code="x = 1\n").exists()),
        Target("quiz answer", quiz, send_form(quiz, {"choice": "right"}), 302, lambda: QuizAnswer.objects.exists()),
        Target("join by code", reverse("courses:join"), send_form(reverse("courses:join"), {"code": other.join_code}),
               302, lambda: Enrollment.objects.filter(course=other, user=student).exists()),
    ]


def with_token(client: Client, target: Target) -> dict[str, Any]:
    token = csrf_token(client)
    if target.url.startswith("/api/"):
        return {"HTTP_X_CSRFTOKEN": token}
    return {"form": {"csrfmiddlewaretoken": token}}


@pytest.mark.parametrize("index", range(4), ids=["submission", "draft", "quiz-answer", "join"])
def test_student_posts_without_a_token_are_refused_with_403(index, course, student, code_question, quiz_question):
    target = targets(course, student, code_question, quiz_question)[index]
    attacker = client_for(student, csrf=True)
    before = snapshot()
    for extra in ({}, {"HTTP_X_CSRFTOKEN": "forged" * 5}, {"HTTP_X_CSRFTOKEN": ""}):
        response = target.send(attacker, extra)
        assert response.status_code == 403, (target.name, response.status_code)
        if target.url.startswith("/api/"):
            assert "Security check failed" in error_of(response)
    assert snapshot() == before and not target.changed()
    response = target.send(attacker, with_token(attacker, target))
    assert response.status_code == target.ok_status, (target.name, response.status_code, response.content[:200])
    assert target.changed()


def test_api_posts_with_a_token_from_another_origin_are_refused(course, student, code_question):
    client = client_for(student, csrf=True)
    token = csrf_token(client)
    response = client.post(reverse("submissions:draft", args=[code_question.pk]), json.dumps({"code": "x = 2\n"}),
                           content_type="application/json", HTTP_X_CSRFTOKEN=token,
                           HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and error_of(response)
    assert not Draft.objects.exists()


def test_the_roster_import_needs_the_token(course, instructor):
    client = client_for(instructor, csrf=True)
    url = reverse("courses:roster", args=[course.pk])

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("r.csv", b"username,role\nmallory,instructor\n", content_type="text/csv")

    before = snapshot()
    assert client.post(url, {"roster": upload()}).status_code == 403
    assert snapshot() == before
    response = client.post(url, {"roster": upload(), "csrfmiddlewaretoken": csrf_token(client)})
    assert response.status_code == 200 and Enrollment.objects.filter(user__username="mallory").exists()


def test_the_login_form_needs_the_token(student):
    client = client_for(csrf=True)
    response = client.post("/accounts/login/", {"username": "owner", "password": "pw-owner"})
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/login/", {"username": "owner", "password": "pw-owner", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_logout_needs_the_token(student):
    client = client_for(student, csrf=True)
    assert client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in client.session
    assert client.get("/accounts/logout/").status_code == 405  # never by a plain link or <img>


def test_quiz_answers_cannot_be_forged_by_a_get(course, student, quiz_question):
    client = client_for(student)
    client.get(reverse("assessments:question", args=[quiz_question.pk]) + "?choice=right")
    assert not QuizAnswer.objects.exists()
    response = client.get(reverse("courses:join") + "?code=JOINME23")
    assert response.status_code == 405


def test_a_csrf_failure_leaves_the_saved_draft_alone(student, code_question):
    Draft.objects.create(user=student, question=code_question, code="keep me\n", saved_at=timezone.now())
    client = client_for(student, csrf=True)
    response = client.post(reverse("submissions:draft", args=[code_question.pk]), json.dumps({"code": ""}),
                           content_type="application/json")
    assert response.status_code == 403 and Draft.objects.get().code == "keep me\n"
