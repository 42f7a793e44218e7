"""Attacks on the JSON endpoints of the code question page: oversized, binary, malformed and forged
bodies. Every refusal is a JSON ``error`` with a 4xx status, and no row changes (no submission, no
attempt used, the saved draft untouched)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from submissions.models import Draft, Submission

from grader.submission import MAX_CODE_BYTES
from tests.platform.conftest import CORRECT_SCALE
from tests.platform.hostile_http.helpers import client_for, error_of, post_json, post_raw, snapshot

SAVED_DRAFT = "def scale(x, k):\n    return x * k  # the student's work\n"


@pytest.fixture
def client(student):  # type: ignore[no-untyped-def]
    return client_for(student)


@pytest.fixture
def draft(student, code_question) -> Draft:  # type: ignore[no-untyped-def]
    return Draft.objects.create(user=student, question=code_question, code=SAVED_DRAFT, saved_at=timezone.now())


def urls(question) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"submit": reverse("submissions:submit", args=[question.pk]),
            "draft": reverse("submissions:draft", args=[question.pk])}


def key() -> str:
    return str(uuid.uuid4())


def both(code: object) -> list[tuple[str, dict[str, object]]]:
    """The same hostile code sent as a submission and as a draft."""
    return [("submit", {"code": code, "idempotency_key": key()}), ("draft", {"code": code})]


def assert_refused(response, status: int, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, (response.status_code, response.content[:300])
    message = error_of(response)
    for word in words:
        assert word.lower() in message.lower(), message
    return message


# --- sizes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["submit", "draft"])
def test_a_10_mb_body_is_refused_as_too_large(client, code_question, draft, endpoint):
    before = snapshot()
    body = json.dumps({"code": "x = 1\n" * (10 * 1024 * 1024 // 6), "idempotency_key": key()})
    response = post_raw(client, urls(code_question)[endpoint], body)
    assert_refused(response, 413, "too large")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ["submit", "draft"])
def test_code_one_byte_over_the_limit_is_refused_with_both_sizes(client, code_question, draft, endpoint):
    before = snapshot()
    code = "#" * (MAX_CODE_BYTES + 1)
    payload = dict(both(code))[endpoint]
    message = assert_refused(post_json(client, urls(code_question)[endpoint], payload), 413)
    assert f"{MAX_CODE_BYTES + 1:,}" in message and f"{MAX_CODE_BYTES:,}" in message
    assert snapshot() == before


def test_code_exactly_at_the_limit_is_accepted(client, code_question):
    code = CORRECT_SCALE + "#" * (MAX_CODE_BYTES - len(CORRECT_SCALE))
    response = post_json(client, urls(code_question)["submit"], {"code": code, "idempotency_key": key()})
    assert response.status_code == 202 and Submission.objects.get().code == code


@pytest.mark.parametrize("endpoint", ["submit", "draft"])
def test_a_1_mb_single_line_is_refused(client, code_question, draft, endpoint):
    before = snapshot()
    payload = dict(both("x = '" + "a" * (1024 * 1024) + "'"))[endpoint]
    response = post_json(client, urls(code_question)[endpoint], payload)
    assert response.status_code == 413 and error_of(response)
    assert snapshot() == before


def test_multibyte_code_is_measured_in_bytes_not_characters(client, code_question):
    code = "가" * (MAX_CODE_BYTES // 3 + 1)  # fewer characters than the limit, more bytes
    response = post_json(client, urls(code_question)["submit"], {"code": code, "idempotency_key": key()})
    assert_refused(response, 413)
    assert not Submission.objects.exists()


# --- bytes that are not UTF-8 JSON --------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["submit", "draft"])
@pytest.mark.parametrize("body", [
    bytes(range(256)) * 4,                                    # binary
    b'{"code": "x = \xff\xfe", "idempotency_key": "abcdefgh-1"}',  # non-UTF-8 inside JSON
    "\ufeff".encode("utf-16") + b'{"code": 1}',             # UTF-16
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",                  # an image
], ids=["binary", "latin1-in-json", "utf16", "png"])
def test_bodies_that_are_not_utf8_are_refused(client, code_question, draft, endpoint, body):
    before = snapshot()
    assert_refused(post_raw(client, urls(code_question)[endpoint], body), 400)
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ["submit", "draft"])
@pytest.mark.parametrize("code", ["def f():\n    return 1\x00\n", "\x00" * 10, "ok = 1\n\ud800\n"],
                         ids=["nul-in-code", "only-nul", "lone-surrogate"])
def test_nul_bytes_and_lone_surrogates_in_code_are_refused(client, code_question, draft, endpoint, code):
    before = snapshot()
    assert_refused(post_json(client, urls(code_question)[endpoint], dict(both(code))[endpoint]), 400)
    assert snapshot() == before


def test_a_nul_byte_is_reported_with_its_line(client, code_question):
    code = "a = 1\nb = 2\x00\n"
    message = assert_refused(post_json(client, urls(code_question)["submit"],
                                       {"code": code, "idempotency_key": key()}), 400)
    assert "NUL" in message and "2" in message


# --- content types and JSON shapes --------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["submit", "draft"])
@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
    "application/xml", "",
])
def test_bodies_that_are_not_declared_json_are_refused(client, code_question, draft, endpoint, content_type):
    before = snapshot()
    body = json.dumps(dict(both(CORRECT_SCALE))[endpoint])
    response = post_raw(client, urls(code_question)[endpoint], body, content_type=content_type)
    assert_refused(response, 415, "JSON")
    assert snapshot() == before


def test_json_with_a_charset_parameter_is_fine(client, code_question):
    body = json.dumps({"code": CORRECT_SCALE, "idempotency_key": key()})
    response = post_raw(client, urls(code_question)["submit"], body, content_type="application/json; charset=utf-8")
    assert response.status_code == 202


@pytest.mark.parametrize("endpoint", ["submit", "draft"])
@pytest.mark.parametrize("body", [
    "", "{", '{"code": "x"', "{'code': 'x'}", '{"code": "x",}', "undefined", "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000, '{"code": NaN}', '{"code": Infinity}',
], ids=["empty", "open-brace", "unterminated", "single-quotes", "trailing-comma", "undefined",
        "deeply-nested-array", "deeply-nested-object", "nan", "infinity"])
def test_malformed_json_is_refused(client, code_question, draft, endpoint, body):
    before = snapshot()
    assert_refused(post_raw(client, urls(code_question)[endpoint], body), 400)
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ["submit", "draft"])
@pytest.mark.parametrize("body", ['["code", "x"]', "42", '"code"', "null", "true", "1e400"])
def test_json_that_is_not_an_object_is_refused(client, code_question, draft, endpoint, body):
    before = snapshot()
    assert_refused(post_raw(client, urls(code_question)[endpoint], body), 400, "object")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ["submit", "draft"])
@pytest.mark.parametrize("code", [None, 42, 1.5, True, ["def f(): pass"], {"text": "x"}],
                         ids=["null", "int", "float", "bool", "list", "object"])
def test_code_of_the_wrong_type_is_refused(client, code_question, draft, endpoint, code):
    before = snapshot()
    assert_refused(post_json(client, urls(code_question)[endpoint], dict(both(code))[endpoint]), 400, "code")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ["submit", "draft"])
def test_a_missing_code_field_is_refused(client, code_question, draft, endpoint):
    before = snapshot()
    payload = {"idempotency_key": key()} if endpoint == "submit" else {"source": CORRECT_SCALE}
    assert_refused(post_json(client, urls(code_question)[endpoint], payload), 400, "code")
    assert snapshot() == before


@pytest.mark.parametrize("idempotency_key", [
    None, 42, ["a" * 10], "short", "k" * 65, "k" * 1_000_000, "key\x00with-nul", "key-\ud800-surrogate",
    "key with spaces\n", "키-한글-아이디-값입니다",
], ids=["missing", "int", "list", "too-short", "too-long", "1mb", "nul", "surrogate", "whitespace", "non-ascii"])
def test_bad_idempotency_keys_are_refused(client, code_question, idempotency_key):
    payload: dict[str, object] = {"code": CORRECT_SCALE}
    if idempotency_key is not None:
        payload["idempotency_key"] = idempotency_key
    response = post_json(client, urls(code_question)["submit"], payload)
    assert response.status_code in (400, 413), response.content[:200]
    error_of(response)
    assert not Submission.objects.exists()


def test_forged_user_score_and_status_fields_are_ignored(client, student, fellow, code_question):
    payload = {"code": CORRECT_SCALE, "idempotency_key": key(), "user": fellow.pk, "user_id": fellow.pk,
               "score": 999, "max_score": 999, "status": "graded", "attempt": 0, "counts_as_attempt": False,
               "question": 12345, "seed": 1, "lang": "xx<script>"}
    response = post_json(client, urls(code_question)["submit"], payload)
    assert response.status_code == 202 and response.json()["status"] == "queued"
    row = Submission.objects.get()
    assert (row.user_id, row.question_id, row.status, row.score) == (student.pk, code_question.pk, "queued", None)
    assert row.counts_as_attempt and row.attempt == 1 and row.max_score == code_question.points
    assert row.lang in ("ko", "en")
    forged_draft = {"code": "x = 1\n", "user": fellow.pk, "question": 99, "saved_at": "1999-01-01T00:00:00"}
    assert post_json(client, urls(code_question)["draft"], forged_draft).status_code == 200
    assert list(Draft.objects.values_list("user_id", "question_id", "code")) == [(student.pk, code_question.pk, "x = 1\n")]
    assert Draft.objects.get().saved_at.year == timezone.now().year


# --- methods ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("endpoint", ["submit", "draft"])
def test_other_methods_on_the_post_endpoints_get_405_json(client, code_question, draft, method, endpoint):
    before = snapshot()
    response = client.generic(method, urls(code_question)[endpoint], json.dumps({"code": "x"}),
                              content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert error_of(response)
    assert snapshot() == before


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_the_read_endpoints_refuse_writes(client, student, code_question, method):
    submission_id = post_json(client, urls(code_question)["submit"],
                              {"code": CORRECT_SCALE, "idempotency_key": key()}).json()["id"]
    before = snapshot()
    for name in ("submissions:status", "submissions:code"):
        response = client.generic(method, reverse(name, args=[submission_id]), "{}", content_type="application/json")
        assert response.status_code == 405 and response["Allow"] == "GET" and error_of(response)
    assert snapshot() == before


def test_a_quiz_question_takes_no_code(client, quiz_question):
    response = post_json(client, reverse("submissions:submit", args=[quiz_question.pk]),
                         {"code": CORRECT_SCALE, "idempotency_key": key()})
    assert_refused(response, 400)
    assert not Submission.objects.exists()


def test_a_page_post_of_code_to_the_question_page_is_refused(client, code_question):
    response = client.post(reverse("assessments:question", args=[code_question.pk]), {"code": CORRECT_SCALE})
    assert response.status_code == 405 and not Submission.objects.exists()


def test_a_refused_body_never_uses_an_attempt(client, student, code_question):
    assignment = code_question.assignment
    assignment.max_attempts = 1
    assignment.save()
    for body in ("{", "[]", json.dumps({"code": "\x00", "idempotency_key": key()})):
        assert post_raw(client, urls(code_question)["submit"], body).status_code == 400
    response = post_json(client, urls(code_question)["submit"], {"code": CORRECT_SCALE, "idempotency_key": key()})
    assert response.status_code == 202 and Submission.objects.get().attempt == 1
