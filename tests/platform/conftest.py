"""Personas and data for platform tests: a course with an instructor, a TA, two students (the
owner and a fellow member) and an outsider; the mini code bundle and a small quiz bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment, Question
from courses.models import Course, Enrollment
from django.contrib.auth import get_user_model
from django.core.cache import cache

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "grader" / "core" / "fixtures" / "mini"
QUIZ = Path(__file__).parent / "fixtures" / "quiz"
CORRECT_SCALE = 'NAMES = ["a", "b"]\n\n\ndef scale(x, k):\n    return x * k\n'
WRONG_SCALE = 'NAMES = ["a"]\n\n\ndef scale(x, k):\n    return x + k\n'


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # rate-limit counters must not leak between tests


class FakeQueue:
    """Stands in for the broker: records the ids the platform tried to enqueue."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.down = False

    def apply_async(self, args: list[int], countdown: float | None = None, **_: object) -> None:
        if self.down:
            from kombu.exceptions import OperationalError

            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append(args[0])


@pytest.fixture(autouse=True)
def queue(monkeypatch: pytest.MonkeyPatch) -> FakeQueue:
    from submissions import tasks

    fake = FakeQueue()
    monkeypatch.setattr(tasks.grade_submission, "apply_async", fake.apply_async)
    return fake


def make_user(username: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user(username=username, password="pw-" + username)


@pytest.fixture
def course(db: None) -> Course:
    return Course.objects.create(slug="dl", title="딥러닝", join_code="JOINME23")


@pytest.fixture
def instructor(course: Course):  # type: ignore[no-untyped-def]
    user = make_user("prof")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.INSTRUCTOR)
    return user


@pytest.fixture
def student(course: Course):  # type: ignore[no-untyped-def]
    user = make_user("owner")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
    return user


@pytest.fixture
def fellow(course: Course):  # type: ignore[no-untyped-def]
    user = make_user("fellow")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
    return user


@pytest.fixture
def outsider(db: None):  # type: ignore[no-untyped-def]
    return make_user("outsider")


@pytest.fixture
def mini_assignment(course: Course) -> Assignment:
    bundle_load(path=MINI, course=course)
    return Assignment.objects.get(course=course, slug="mini")


@pytest.fixture
def code_question(mini_assignment: Assignment) -> Question:
    return mini_assignment.questions.get(slug="scale")


@pytest.fixture
def quiz_assignment(course: Course) -> Assignment:
    bundle_load(path=QUIZ, course=course)
    return Assignment.objects.get(course=course, slug="quiz")


@pytest.fixture
def quiz_question(quiz_assignment: Assignment) -> Question:
    return quiz_assignment.questions.get(slug="pick-one")


@pytest.fixture
def inprocess(settings):  # type: ignore[no-untyped-def]
    settings.GRADER_EXECUTOR = "inprocess"
