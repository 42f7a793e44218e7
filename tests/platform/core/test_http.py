"""``core.http.json_endpoint`` and ``json_body``: every JSON endpoint's answers when the session
ended (401), for another method (405), a body that is not JSON (415, 400, 413) and a refusal a
user can act on (its status, ``{"error"}`` plus ``"field"`` when it names one)."""

from __future__ import annotations

import json

import pytest
from core.errors import UserError
from core.http import json_body, json_endpoint
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy

from tests.platform.conftest import make_user


@json_endpoint("POST")
def echo(request):  # type: ignore[no-untyped-def]
    data = json_body(request)
    if data.get("refuse"):
        raise UserError("Pick a number.", status=422, field=data["refuse"] if data["refuse"] != "-" else None)
    if data.get("missing"):
        raise Http404
    if data.get("forbidden"):
        raise PermissionDenied
    return JsonResponse({"echo": data})


@json_endpoint("GET", "POST", session_ended=gettext_lazy("Method not allowed."))
def both(request):  # type: ignore[no-untyped-def]
    return JsonResponse({"method": request.method})


@pytest.fixture
def user(db):  # type: ignore[no-untyped-def]
    return make_user("someone")


def call(view, user, method="post", body=b"{}", content_type="application/json"):  # type: ignore[no-untyped-def]
    # CONTENT_TYPE given twice: RequestFactory drops ``content_type`` when the body is empty.
    request = RequestFactory().generic(method.upper(), "/x", body, content_type=content_type, CONTENT_TYPE=content_type)
    request.user = user
    with translation.override("en"):
        response = view(request)
    return response.status_code, json.loads(response.content), response


def test_a_json_object_reaches_the_view(user):  # type: ignore[no-untyped-def]
    status, body, _ = call(echo, user, body=json.dumps({"a": [1, "둘"]}))
    assert status == 200 and body == {"echo": {"a": [1, "둘"]}}


def test_an_ended_session_is_a_401_json_not_a_redirect(db):  # type: ignore[no-untyped-def]
    status, body, response = call(echo, AnonymousUser())
    assert status == 401 and body == {"error": "Your session has ended. Log in again."}
    assert response["Content-Type"] == "application/json"
    assert getattr(echo, "login_required", True) is False  # LoginRequiredMiddleware lets it answer


def test_another_method_is_a_405_naming_the_allowed_ones(user):  # type: ignore[no-untyped-def]
    status, body, response = call(echo, user, method="get")
    assert status == 405 and response["Allow"] == "POST" and body["error"] == "Method not allowed."
    status, _body, response = call(echo, user, method="put")
    assert status == 405
    assert call(both, user, method="get")[0] == 200 and call(both, user)[0] == 200
    assert call(both, user, method="delete")[2]["Allow"] == "GET, POST"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_that_is_not_declared_json_is_a_415(user, content_type):  # type: ignore[no-untyped-def]
    status, body, _ = call(echo, user, body=b'{"a": 1}', content_type=content_type)
    assert status == 415 and "application/json" in body["error"] and set(body) == {"error"}


@pytest.mark.parametrize(("raw", "says"), [
    (b"", "not valid JSON"),
    (b"{", "not valid JSON"),
    (b'{"a": NaN}', "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "must be a JSON object"),
    (b'"text"', "must be a JSON object"),
])
def test_a_malformed_body_is_a_400_saying_what_is_wrong(user, raw, says):  # type: ignore[no-untyped-def]
    status, body, _ = call(echo, user, body=raw)
    assert status == 400 and says in body["error"], body


def test_an_oversized_body_is_a_413(user, settings):  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    status, body, _ = call(echo, user, body=json.dumps({"a": "x" * 200}))
    assert status == 413 and body["error"] == "The request is too large."


def test_a_refusal_answers_with_its_status_message_and_field(user):  # type: ignore[no-untyped-def]
    status, body, _ = call(echo, user, body=json.dumps({"refuse": "points"}))
    assert status == 422 and body == {"error": "Pick a number.", "field": "points"}
    status, body, _ = call(echo, user, body=json.dumps({"refuse": "-"}))
    assert status == 422 and body == {"error": "Pick a number."}  # no field: the contract's plain error


def test_not_found_and_forbidden_are_json_too(user):  # type: ignore[no-untyped-def]
    assert call(echo, user, body=json.dumps({"missing": 1}))[:2] == (404, {"error": "Not found."})
    assert call(echo, user, body=json.dumps({"forbidden": 1}))[:2] == (403, {"error": "You may not do this."})


def test_messages_are_korean_for_korean_readers(db):  # type: ignore[no-untyped-def]
    request = RequestFactory().post("/x", data=b"{}", content_type="text/plain")
    request.user = make_user("someone")
    with translation.override("ko"):
        refused = json.loads(echo(request).content)["error"]
        request.user = AnonymousUser()
        session = json.loads(echo(request).content)["error"]
    assert refused != "The request must be JSON (Content-Type: application/json)." and "JSON" in refused
    assert session != "Your session has ended. Log in again." and "로그인" in session


def test_every_app_error_is_a_user_error():  # type: ignore[no-untyped-def]
    from authoring.errors import AuthoringError
    from courses.services import CourseRefused
    from gradebook.imports import ImportRefused
    from grading.services import GradingRefused
    from lti.services.launch import LaunchRejected
    from scoring.curve import CurveError
    from scoring.policies import PolicyRefused
    from submissions.services.errors import SubmitRefused

    for cls in (AuthoringError, CourseRefused, ImportRefused, GradingRefused, LaunchRejected, CurveError,
                PolicyRefused, SubmitRefused):
        assert issubclass(cls, UserError), cls
    assert issubclass(CurveError, ValueError) and issubclass(PolicyRefused, ValueError)  # callers catch those too
    error = AuthoringError("slug: use lowercase letters", form_field="slug")
    assert (error.message, error.field, error.form_field, error.status) == ("slug: use lowercase letters", "slug",
                                                                            "slug", 400)
    assert SubmitRefused("slow down", status=429).status == 429 and str(GradingRefused("x")) == "x"


def test_the_sites_json_endpoints_share_the_decorator(course, instructor):  # type: ignore[no-untyped-def]
    from django.test import Client
    from django.urls import reverse

    urls = [
        ("post", reverse("authoring:preview", args=[course.pk])),
        ("post", reverse("authoring:question_quiz_try", args=[course.pk, "practice"])),
        ("get", reverse("insights:live_data", args=[course.pk])),
        ("get", reverse("scoring:regrade_progress", args=[course.pk, 1])),
        ("post", reverse("submissions:draft", args=[1])),
    ]
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    for method, url in urls:
        response = getattr(anonymous, method)(url)
        assert response.status_code == 401 and response.json()["error"].startswith("Your session has ended"), url
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(instructor)
    preview = reverse("authoring:preview", args=[course.pk])
    assert client.post(preview, {"text": "x"}).status_code == 415  # a form post is not JSON
    assert client.get(preview).status_code == 405
    response = client.generic("POST", preview, b"[1]", content_type="application/json")
    assert response.status_code == 400 and response.json() == {"error": "The request must be a JSON object."}
