"""Feedback hidden by the course (visibility "never", or "after the due date" before it): a student
probing their own results over HTTP learns that the work was graded, never how it went. Not from
the score, not from the status label, not from the feedback block, the history or the quiz page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from submissions.models import Submission

from grader import result as verdicts
from grader.result import CheckOutcome, GradeResult
from tests.platform.hostile_http.helpers import client_for

# Every English verdict label (submissions.presenters): none may reach a student while hidden.
VERDICT_WORDS = ("All checks passed", "Some checks passed", "Checks failed", "Syntax error", "Time limit exceeded",
                 "Your program crashed", "Not gradable", "Memory limit exceeded", "Too much output",
                 "Error while loading your code")
HIDDEN = [("never", None), ("after_due", timedelta(days=2))]


def graded(user, question, *, verdict: str, score: float) -> Submission:  # type: ignore[no-untyped-def]
    passed = verdict == verdicts.PASSED
    return Submission.objects.create(
        user=user, question=question, version_id=question.current_version_id, idempotency_key=str(uuid.uuid4()),
        code="def scale(x, k):\n    return x\n", seed=1, attempt=Submission.objects.filter(user=user).count() + 1,
        status=Submission.Status.GRADED, score=score, max_score=3.0, verdict=verdict, graded_at=timezone.now(),
        results=GradeResult(status=verdict, score=score, max_score=3.0, checks=[
            CheckOutcome(name="scale · small", passed=passed, score=score, max_score=3.0,
                         message="" if passed else "expected 6.0 at [0], got 2.0"),
        ]).to_dict(),
    )


def hide(question, visibility: str, due_in: timedelta | None) -> None:  # type: ignore[no-untyped-def]
    assignment = question.assignment
    assignment.feedback_visibility = visibility
    assignment.due_at = timezone.now() + due_in if due_in else None
    assignment.save()


def status_of(client, submission: Submission) -> dict:  # type: ignore[no-untyped-def, type-arg]
    response = client.get(reverse("submissions:status", args=[submission.pk]))
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("visibility", "due_in"), HIDDEN, ids=["never", "before-due"])
@pytest.mark.parametrize("verdict", [verdicts.FAILED, verdicts.SYNTAX_ERROR, verdicts.TIMEOUT, verdicts.PARTIAL])
def test_the_status_reply_of_a_pass_and_a_fail_are_the_same_while_hidden(
    student, code_question, visibility, due_in, verdict
):
    hide(code_question, visibility, due_in)
    passed = graded(student, code_question, verdict=verdicts.PASSED, score=3.0)
    failed = graded(student, code_question, verdict=verdict, score=0.0)
    client = client_for(student)
    mine, other = status_of(client, passed), status_of(client, failed)
    assert mine["score"] is None and mine["status"] == "graded"
    assert not any(word in mine["status_label"] for word in VERDICT_WORDS), mine["status_label"]
    assert {**mine, "id": None} == {**other, "id": None}  # nothing at all tells them apart


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_label_is_hidden_in_korean_too(student, code_question, lang):
    hide(code_question, "never", None)
    passed = graded(student, code_question, verdict=verdicts.PASSED, score=3.0)
    failed = graded(student, code_question, verdict=verdicts.FAILED, score=0.0)
    client = client_for(student, lang=lang)
    assert status_of(client, passed)["status_label"] == status_of(client, failed)["status_label"]


def test_the_code_page_and_history_carry_no_outcome_while_hidden(student, code_question):
    hide(code_question, "never", None)
    graded(student, code_question, verdict=verdicts.FAILED, score=0.0)
    graded(student, code_question, verdict=verdicts.PASSED, score=3.0)
    page = client_for(student).get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert "feedback-hidden" in page
    assert not any(word in page for word in VERDICT_WORDS)
    assert "verdict-" not in page and "expected 6.0" not in page and "3 / 3" not in page
    for submission in Submission.objects.filter(user=student):
        assert client_for(student).get(reverse("submissions:code", args=[submission.pk])).json()["score"] is None


def test_staff_and_visible_feedback_still_get_the_verdict_label(student, instructor, code_question):
    hide(code_question, "never", None)
    passed = graded(student, code_question, verdict=verdicts.PASSED, score=3.0)
    staff = status_of(client_for(instructor), passed)
    assert staff["status_label"] == "All checks passed" and staff["score"] == 3.0
    hide(code_question, "immediately", None)
    assert status_of(client_for(student), passed)["status_label"] == "All checks passed"


def test_a_due_date_past_reveals_the_label(student, code_question):
    hide(code_question, "after_due", -timedelta(minutes=1))
    failed = graded(student, code_question, verdict=verdicts.FAILED, score=0.0)
    body = status_of(client_for(student), failed)
    assert body["status_label"] == "Checks failed" and body["score"] == 0.0


def _quiz_result(page: str) -> str:
    match = re.search(r'<section class="quiz-result.*?</section>', page, re.S)
    assert match, "no result section"
    return match.group(0)


@pytest.mark.parametrize(("visibility", "due_in"), HIDDEN, ids=["never", "before-due"])
def test_a_right_and_a_wrong_quiz_answer_look_the_same_while_hidden(
    student, fellow, quiz_question, visibility, due_in
):
    hide(quiz_question, visibility, due_in)
    url = reverse("assessments:question", args=[quiz_question.pk])
    right, wrong = client_for(student), client_for(fellow)
    assert right.post(url, {"choice": "right"}).status_code == 302
    assert wrong.post(url, {"choice": "wrong"}).status_code == 302
    right_page, wrong_page = right.get(url).content.decode(), wrong.get(url).content.decode()
    assert _quiz_result(right_page) == _quiz_result(wrong_page)
    assert "feedback-hidden" in right_page and "Score:" not in _quiz_result(right_page)
