"""The JSON endpoints of WEB-CONTRACT: shapes, errors, CSRF, escaping, hidden details."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from submissions.models import Draft, Submission
from submissions.services.grade import submission_grade

from tests.platform.conftest import CORRECT_SCALE, WRONG_SCALE


@pytest.fixture
def client(student) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(student)
    return client


def post_json(client: Client, url: str, data: object) -> object:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def submit(client, question, code=CORRECT_SCALE, key=None):  # type: ignore[no-untyped-def]
    return post_json(client, reverse("submissions:submit", args=[question.pk]),
                     {"code": code, "idempotency_key": key or str(uuid.uuid4())})


def test_submit_answers_202_with_a_receipt_then_200_for_the_same_key(client, code_question):
    key = str(uuid.uuid4())
    first = submit(client, code_question, key=key)
    assert first.status_code == 202
    body = first.json()
    assert set(body) == {"id", "status", "status_url", "message"} and body["status"] == "queued"
    again = submit(client, code_question, key=key)
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_status_reports_the_contract_fields(client, code_question, inprocess):
    receipt = submit(client, code_question).json()
    queued = client.get(receipt["status_url"]).json()
    assert queued["status"] == "queued" and queued["feedback_html"] is None and queued["score"] is None
    submission_grade(submission_id=receipt["id"], worker="w")
    graded = client.get(receipt["status_url"]).json()
    assert set(graded) == {"id", "status", "status_label", "score", "max_score", "feedback_html", "message"}
    assert graded["status"] == "graded" and graded["score"] == pytest.approx(3.0)
    assert "scale · small" in graded["feedback_html"]


def test_code_endpoint_returns_the_submitted_code(client, code_question):
    receipt = submit(client, code_question).json()
    body = client.get(reverse("submissions:code", args=[receipt["id"]])).json()
    assert body["code"] == CORRECT_SCALE and body["score"] is None and body["created_at"]


def test_student_code_and_output_are_escaped(client, code_question, inprocess):
    hostile = 'print("<script>alert(1)</script>")\n' + WRONG_SCALE
    receipt = submit(client, code_question, code=hostile).json()
    submission_grade(submission_id=receipt["id"], worker="w")
    assert "<script>alert(1)</script>" in Submission.objects.get(pk=receipt["id"]).output
    feedback = client.get(receipt["status_url"]).json()["feedback_html"]
    assert "<script>" not in feedback and "&lt;script&gt;alert(1)&lt;/script&gt;" in feedback
    Draft.objects.create(user=Submission.objects.get(pk=receipt["id"]).user, question=code_question,
                         code="</textarea><script>alert(2)</script>", saved_at=Submission.objects.get(pk=receipt["id"]).created_at)
    page = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "<script>alert(2)</script>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(2)" in page


def test_hidden_check_details_stay_hidden_from_students(client, student, instructor, code_question, inprocess):
    receipt = submit(client, code_question, code=WRONG_SCALE).json()
    submission_grade(submission_id=receipt["id"], worker="w")
    stored = Submission.objects.get(pk=receipt["id"]).results
    hidden = next(check for check in stored["checks"] if check["hidden"])
    assert hidden["message"] and not hidden["passed"]
    assert "numerical gradient" in hidden["message"]
    student_view = client.get(receipt["status_url"]).json()["feedback_html"]
    # a hidden check shows only whether it passed: not even its name (it describes its inputs)
    assert "hidden-check" in student_view and "hidden check 1" in student_view
    assert "scale · gradient" not in student_view
    assert "numerical gradient" not in student_view
    page = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert "numerical gradient" not in page
    staff = Client()
    staff.force_login(instructor)
    assert "numerical gradient" in staff.get(receipt["status_url"]).json()["feedback_html"]


def test_hidden_details_are_revealed_when_the_course_says_always(client, code_question, inprocess):
    assignment = code_question.assignment
    assignment.hidden_checks = "always"
    assignment.save()
    receipt = submit(client, code_question, code=WRONG_SCALE).json()
    submission_grade(submission_id=receipt["id"], worker="w")
    assert "numerical gradient" in client.get(receipt["status_url"]).json()["feedback_html"]


def test_draft_save_answers_saved_at_and_keeps_one_draft(client, student, code_question):
    url = reverse("submissions:draft", args=[code_question.pk])
    assert "saved_at" in post_json(client, url, {"code": "a = 1"}).json()
    assert post_json(client, url, {"code": "a = 2"}).status_code == 200
    assert Draft.objects.get(user=student, question=code_question).code == "a = 2"


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{not json", 400), (b'"a string"', 400), (b'{"code": "\xff\xfe"}', 400), (b'{"code": 5}', 400)],
)
def test_malformed_requests_get_a_json_error(client, code_question, body, status):
    response = client.post(reverse("submissions:draft", args=[code_question.pk]), data=body,
                           content_type="application/json")
    assert response.status_code == status and response.json()["error"]


def test_oversized_bodies_and_code_get_413(client, code_question):
    url = reverse("submissions:draft", args=[code_question.pk])
    too_big_body = post_json(client, url, {"code": "x" * (2 * 1024 * 1024)})
    assert too_big_body.status_code == 413 and too_big_body.json()["error"]
    too_big_code = submit(client, code_question, code="#" * (300 * 1024))
    assert too_big_code.status_code == 413 and "262,144" in too_big_code.json()["error"]


def test_wrong_methods_get_405_json(client, code_question):
    assert client.get(reverse("submissions:submit", args=[code_question.pk])).status_code == 405
    response = client.post(reverse("submissions:status", args=[1]))
    assert response.status_code == 405 and response.json()["error"]


def test_posts_without_a_csrf_token_are_rejected(student, code_question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(reverse("submissions:submit", args=[code_question.pk]),
                           data=json.dumps({"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())}),
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]
    assert not Submission.objects.exists()


def test_posts_with_the_csrf_header_are_accepted(student, code_question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    client.get(reverse("assessments:question", args=[code_question.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("submissions:submit", args=[code_question.pk]),
                           data=json.dumps({"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())}),
                           content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 202


def test_quiz_forms_without_csrf_are_rejected(student, quiz_question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(reverse("assessments:question", args=[quiz_question.pk]), {"choice": "right"})
    assert response.status_code == 403


def test_rate_limited_submissions_get_429(client, code_question, settings):
    settings.SUBMIT_RATE_PER_MINUTE = 2
    assert submit(client, code_question).status_code == 202
    assert submit(client, code_question).status_code == 202
    response = submit(client, code_question)
    assert response.status_code == 429 and response.json()["error"]


def test_a_used_up_attempt_limit_gets_403(client, code_question):
    assignment = code_question.assignment
    assignment.max_attempts = 1
    assignment.save()
    assert submit(client, code_question).status_code == 202
    response = submit(client, code_question)
    assert response.status_code == 403 and response.json()["error"]
