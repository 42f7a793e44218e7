"""Attacks on the quiz answer form: forged choices, non-numbers for numbers, oversized and repeated
fields, HTML in text answers. A refused answer re-renders the page with a 4xx status and the reason,
and stores nothing (no attempt used); HTML is stored as typed and always shown escaped."""

# ruff: noqa: F811 - the hostile-bundle fixtures are imported from helpers (conftest.py stays untouched)
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape
from submissions.models import QuizAnswer

from tests.platform.hostile_http.helpers import (  # noqa: F401 - fixtures
    client_for,
    evil_question,
    hostile_assignment,
    number_question,
    snapshot,
    words_question,
)


@pytest.fixture
def client(student):  # type: ignore[no-untyped-def]
    return client_for(student)


def url(question) -> str:  # type: ignore[no-untyped-def]
    return reverse("assessments:question", args=[question.pk])


def assert_refused(response, *words: str, status: int = 400) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, (response.status_code, response.content[:300])
    page = response.content.decode()
    messages = page.split('<ul class="messages">')[1].split("</ul>")[0]
    assert 'class="message error"' in messages
    for word in words:
        assert word in messages, messages
    return messages


# --- multiple choice ----------------------------------------------------------------------------

@pytest.mark.parametrize("choice", ["hacked", "right\x00", "RIGHT", " ", "good", "r" * 300_000,
                                    "<script>alert(1)</script>", "' OR 1=1 --"],
                         ids=["unknown", "nul", "case", "blank", "other-questions-id", "300k", "html", "sql"])
def test_forged_choice_values_are_refused_without_using_an_attempt(client, quiz_question, evil_question, choice):
    before = snapshot()
    response = client.post(url(quiz_question), {"choice": choice})
    assert response.status_code == 400
    assert snapshot() == before
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert client.post(url(quiz_question), {"choice": "right"}).status_code == 302
    assert QuizAnswer.objects.get().attempt == 1


def test_an_unknown_choice_says_so(client, quiz_question):
    assert_refused(client.post(url(quiz_question), {"choice": "hacked"}), "not part of this question")


def test_two_choices_on_a_one_answer_question_are_refused(client, quiz_question):
    before = snapshot()
    assert_refused(client.post(url(quiz_question), {"choice": ["right", "wrong"]}), "exactly one")
    assert snapshot() == before


def test_the_same_choice_repeated_counts_once(client, quiz_question):
    assert client.post(url(quiz_question), {"choice": ["right", "right", "right"]}).status_code == 302
    answer = QuizAnswer.objects.get()
    assert answer.answer == {"choices": ["right"]} and answer.score == pytest.approx(2.0)


def test_no_choice_at_all_is_refused(client, quiz_question):
    before = snapshot()
    assert_refused(client.post(url(quiz_question), {}), "Choose an answer")
    assert_refused(client.post(url(quiz_question), {"answer": "right", "choices": "right"}), "Choose an answer")
    assert snapshot() == before


def test_forged_score_user_and_attempt_fields_are_ignored(client, student, fellow, quiz_question):
    response = client.post(url(quiz_question), {"choice": "wrong", "score": "999", "user": str(fellow.pk),
                                                "correct": "true", "attempt": "0", "fraction": "1"})
    assert response.status_code == 302
    answer = QuizAnswer.objects.get()
    assert (answer.user_id, answer.score, answer.correct, answer.attempt) == (student.pk, 0, False, 1)


# --- numeric ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,words", [
    ("NaN", "not a number"), ("nan", "not a number"), ("Infinity", "not a number"), ("-inf", "not a number"),
    ("1e400", "too large"), ("-1e400", "too large"), ("9" * 400, "too long"), ("1" * 5000, "too long"),
    ("0x2A", "not a number"), ("42; DROP TABLE submissions_quizanswer", "not a number"),
    ("4_2", "not a number"), ("42\x00", "NUL"), ("", "Enter a number"), ("   ", "Enter a number"),
    ("<img src=x onerror=alert(1)>", "not a number"), ("1,2", "commas"),
])
def test_numbers_that_are_not_finite_numbers_are_refused(client, number_question, value, words):
    before = snapshot()
    messages = assert_refused(client.post(url(number_question), {"value": value}), words)
    assert "<img src=x" not in messages
    assert snapshot() == before


def test_a_huge_numeric_field_is_refused_before_parsing(client, number_question):
    before = snapshot()
    response = client.post(url(number_question), {"value": "1" * (2 * 1024 * 1024)})
    assert response.status_code == 400  # Django's body limit (DATA_UPLOAD_MAX_MEMORY_SIZE)
    assert snapshot() == before


def test_repeated_numeric_fields_grade_only_the_first(client, number_question):
    assert client.post(url(number_question), {"value": ["42", "41", "NaN"]}).status_code == 302
    answer = QuizAnswer.objects.get()
    assert answer.answer["value"] == 42 and answer.correct


def test_thousands_of_fields_are_refused(client, number_question):
    before = snapshot()
    response = client.post(url(number_question), {f"f{index}": "1" for index in range(5000)} | {"value": "42"})
    assert response.status_code == 400
    assert snapshot() == before


def test_a_correct_number_still_works_after_refusals(client, number_question):
    for junk in ("NaN", "1e400", "abc"):
        client.post(url(number_question), {"value": junk})
    assert client.post(url(number_question), {"value": "42"}).status_code == 302
    answer = QuizAnswer.objects.get()
    assert answer.correct and answer.attempt == 1


# --- short text ---------------------------------------------------------------------------------

HOSTILE_TEXTS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(2)</script>",
    "{{ request.user.password }} {% csrf_token %}",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_html_in_short_text_is_stored_as_typed_and_shown_escaped(client, student, instructor, words_question, text):
    assert client.post(url(words_question), {"text": text}).status_code == 302
    answer = QuizAnswer.objects.get()
    assert answer.answer["text"] == text.strip()
    for viewer in (client, client_for(instructor)):
        page = viewer.get(url(words_question)).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
    own = client.get(url(words_question)).content.decode()
    form = own.split('class="answer answer-short-text"')[1].split("</div>")[0]
    assert escape(text) in form  # shown back to the student as typed, never interpreted


def test_a_too_long_text_answer_is_refused(client, words_question):
    before = snapshot()
    assert_refused(client.post(url(words_question), {"text": "가" * 10_001}), "10,000")
    assert snapshot() == before


def test_a_text_answer_sent_as_a_file_is_not_read(client, words_question):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    upload = SimpleUploadedFile("a.txt", b"max pooling", content_type="text/plain")
    assert_refused(client.post(url(words_question), {"text": upload}), "Write an answer first")
    assert snapshot() == before


@pytest.mark.parametrize("field,value", [("text", "max\x00pooling"), ("text", "\x00"), ("value", "4\x002"),
                                         ("choice", "right\x00"), ("extra", "\x00")])
def test_nul_characters_in_any_field_are_refused(client, words_question, number_question, quiz_question, field, value):
    question = {"text": words_question, "value": number_question}.get(field, quiz_question)
    before = snapshot()
    assert_refused(client.post(url(question), {field: value, "choice": "right"} if field == "extra" else {field: value}),
                   "NUL")
    assert snapshot() == before


def test_repeated_text_fields_store_only_the_first(client, words_question):
    assert client.post(url(words_question), {"text": ["max pooling", "<b>second</b>"]}).status_code == 302
    assert QuizAnswer.objects.get().answer == {"text": "max pooling"}


# --- the page around the refusal ----------------------------------------------------------------

def test_a_closed_question_refuses_with_403_and_says_why(client, quiz_question):
    for _ in range(2):
        client.post(url(quiz_question), {"choice": "wrong"})
    before = snapshot()
    assert_refused(client.post(url(quiz_question), {"choice": "right"}), "attempts", status=403)
    assert snapshot() == before


def test_answering_too_fast_is_refused_with_429(client, number_question, settings):
    settings.SUBMIT_RATE_PER_MINUTE = 1
    assert client.post(url(number_question), {"value": "41"}).status_code == 302
    before = snapshot()
    assert_refused(client.post(url(number_question), {"value": "42"}), "Too many", status=429)
    assert snapshot() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_on_the_question_page_are_405(client, quiz_question, method):
    assert getattr(client, method)(url(quiz_question)).status_code == 405
    assert not QuizAnswer.objects.exists()
