"""Shared personas and data for the grading and gradebook tests (imported by the test modules:
the conftest files belong to others). Adds to tests/platform/conftest.py's personas a TA, a second
TA, and an outsider who is the instructor of another course, plus a bundle of manual questions."""

from __future__ import annotations

from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment, Question
from courses.models import Course, Enrollment
from django.test import Client
from submissions.models import QuizAnswer
from submissions.services.quiz import quiz_answer_create

from tests.platform.conftest import make_user

ESSAY = Path(__file__).parent / "fixtures" / "essay"


@pytest.fixture
def ta(course: Course):  # type: ignore[no-untyped-def]
    user = make_user("ta1")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA)
    return user


@pytest.fixture
def ta2(course: Course):  # type: ignore[no-untyped-def]
    user = make_user("ta2")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA)
    return user


@pytest.fixture
def other_course(db: None) -> Course:
    return Course.objects.create(slug="other", title="다른 강좌", join_code="OTHER234")


@pytest.fixture
def other_staff(other_course: Course):  # type: ignore[no-untyped-def]
    """Staff, but of another course: an outsider here."""
    user = make_user("elsewhere")
    Enrollment.objects.create(course=other_course, user=user, role=Enrollment.Role.INSTRUCTOR)
    return user


@pytest.fixture
def essay(course: Course) -> Assignment:
    bundle_load(path=ESSAY, course=course)
    return Assignment.objects.get(course=course, slug="essay")


@pytest.fixture
def explain(essay: Assignment) -> Question:
    return essay.questions.get(slug="explain")  # 3 points; rubric 1 + 1 + 2


@pytest.fixture
def second(essay: Assignment) -> Question:
    return essay.questions.get(slug="second")  # 2 points


@pytest.fixture
def pick(essay: Assignment) -> Question:
    return essay.questions.get(slug="pick")  # multiple choice, graded automatically


def answer(user, question: Question, text: str = "최대 풀링은 이동에 강합니다.") -> QuizAnswer:  # type: ignore[no-untyped-def]
    return quiz_answer_create(user=user, question=question, data={"text": [text]})


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client
