"""Shared pieces of the attack suite: the hostile quiz bundle, clients, and a snapshot of every row
an attack could change (so each test can say "nothing changed")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment, Question
from courses.models import Course, Enrollment
from django.contrib.auth import get_user_model
from django.test import Client
from submissions.models import Draft, QuizAnswer, Submission

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


def client_for(user: Any = None, *, csrf: bool = False, lang: str = "en") -> Client:
    """A client speaking ``lang`` (messages are asserted in English unless a test says otherwise)."""
    client = Client(enforce_csrf_checks=csrf, HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_login(user)
    return client


def post_raw(client: Client, url: str, body: bytes | str, content_type: str = "application/json", **extra: Any):  # type: ignore[no-untyped-def]
    # Passed twice: the test client drops ``content_type`` when the body is empty.
    return client.generic("POST", url, body, content_type=content_type, **{"CONTENT_TYPE": content_type, **extra})


def post_json(client: Client, url: str, data: object, **extra: Any):  # type: ignore[no-untyped-def]
    return post_raw(client, url, json.dumps(data), **extra)


def error_of(response: Any) -> str:
    """The JSON ``error`` message; fails the test if the reply is not the contract's JSON error."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"].strip(), body
    return body["error"]


def snapshot() -> dict[str, object]:
    """Everything an attack on the student-facing endpoints must leave alone."""
    return {
        "users": get_user_model().objects.count(),
        "enrollments": sorted(Enrollment.objects.values_list("course_id", "user_id", "role")),
        "submissions": sorted(Submission.objects.values_list("id", "status", "code", "score")),
        "drafts": sorted(Draft.objects.values_list("id", "code", "saved_at")),
        "answers": sorted(QuizAnswer.objects.values_list("id", "score")),
        "courses": sorted(Course.objects.values_list("id", "join_code")),
    }


@pytest.fixture
def hostile_assignment(course: Course) -> Assignment:
    bundle_load(path=HOSTILE, course=course)
    assignment = Assignment.objects.get(course=course, slug="hostile")
    assignment.show_explanations = True
    assignment.save()
    return assignment


@pytest.fixture
def evil_question(hostile_assignment: Assignment) -> Question:
    return hostile_assignment.questions.get(slug="evil-prompt")


@pytest.fixture
def number_question(hostile_assignment: Assignment) -> Question:
    return hostile_assignment.questions.get(slug="number")


@pytest.fixture
def words_question(hostile_assignment: Assignment) -> Question:
    return hostile_assignment.questions.get(slug="words")
