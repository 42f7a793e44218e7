"""An assignment whose opening date is still ahead: a student reaching for its questions by URL (the
question page, the quiz form, the code endpoints) learns when it opens and nothing else: no
prompt, no starter template, no page config, no choices. Staff see everything as usual."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.platform.hostile_http.helpers import client_for, error_of, post_json, snapshot

# Text of each question that must not reach a student early.
CODE_SECRETS = ("Write <code>scale(x, k)</code>", "scale(x, k)", "pass  # TODO", "question-config")
QUIZ_SECRETS = ("Look at", "The right one", "The wrong one", 'name="choice"')


def open_in(assignment, delta: timedelta) -> None:  # type: ignore[no-untyped-def]
    assignment.opens_at = timezone.now() + delta
    assignment.save()


@pytest.fixture
def future_code(code_question):  # type: ignore[no-untyped-def]
    open_in(code_question.assignment, timedelta(days=3))
    return code_question


@pytest.fixture
def future_quiz(quiz_question):  # type: ignore[no-untyped-def]
    open_in(quiz_question.assignment, timedelta(days=3))
    return quiz_question


def test_the_code_question_page_shows_nothing_of_the_question(student, future_code):
    response = client_for(student).get(reverse("assessments:question", args=[future_code.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert not any(secret in page for secret in CODE_SECRETS), page
    assert "opens at" in page and timezone.localtime(future_code.assignment.opens_at).strftime("%Y-%m-%d") in page


def test_the_quiz_page_and_its_form_show_nothing_before_the_opening(student, future_quiz):
    client = client_for(student)
    url = reverse("assessments:question", args=[future_quiz.pk])
    page = client.get(url)
    assert page.status_code == 403
    assert not any(secret in page.content.decode() for secret in QUIZ_SECRETS)
    before = snapshot()
    posted = client.post(url, {"choice": "right"})
    assert posted.status_code == 403 and not any(secret in posted.content.decode() for secret in QUIZ_SECRETS)
    assert snapshot() == before


def test_the_code_endpoints_refuse_before_the_opening(student, future_code):
    client = client_for(student)
    before = snapshot()
    for name, body in (("draft", {"code": "x = 1\n"}),
                       ("submit", {"code": "x = 1\n", "idempotency_key": "key-early-0001"})):
        response = post_json(client, reverse(f"submissions:{name}", args=[future_code.pk]), body)
        assert response.status_code == 403 and "not open yet" in error_of(response), name
    assert snapshot() == before


def test_the_assignment_page_says_when_it_opens_and_lists_no_questions(student, future_code):
    assignment = future_code.assignment
    page = client_for(student).get(reverse("assessments:assignment", args=[assignment.course_id, assignment.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "opens at" in body and timezone.localtime(assignment.opens_at).strftime("%Y-%m-%d") in body
    assert reverse("assessments:question", args=[future_code.pk]) not in body
    assert future_code.display_title not in body.split("<h1>", 1)[1]


def test_staff_see_the_questions_before_the_opening(instructor, future_code, future_quiz):
    staff = client_for(instructor)
    code_page = staff.get(reverse("assessments:question", args=[future_code.pk]))
    assert code_page.status_code == 200 and "pass  # TODO" in code_page.content.decode()
    quiz_page = staff.get(reverse("assessments:question", args=[future_quiz.pk]))
    assert quiz_page.status_code == 200 and "The right one" in quiz_page.content.decode()
    assignment = future_code.assignment
    listing = staff.get(reverse("assessments:assignment", args=[assignment.course_id, assignment.pk])).content.decode()
    assert reverse("assessments:question", args=[future_code.pk]) in listing


def test_once_open_the_student_sees_the_question(student, future_code):
    open_in(future_code.assignment, -timedelta(minutes=1))
    page = client_for(student).get(reverse("assessments:question", args=[future_code.pk]))
    assert page.status_code == 200 and "pass  # TODO" in page.content.decode()


def test_outsiders_still_get_a_404_not_the_opening_date(outsider, future_code):
    page = client_for(outsider).get(reverse("assessments:question", args=[future_code.pk]))
    assert page.status_code == 404
