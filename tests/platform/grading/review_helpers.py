"""Data for the code review tests: the `review` bundle (the mini `scale` question, 3 points, with
rubric items +1 and -2) and graded submissions made directly (the grader itself is tested
elsewhere), so a test decides the automatic points."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Question
from courses.models import Course, Enrollment
from django.utils import timezone
from submissions.models import Submission

from tests.platform.conftest import make_user

REVIEW = Path(__file__).parent / "fixtures" / "review"
CODE = "def scale(x, k):\n    out = x * k\n    return out\n"


@pytest.fixture
def scale(course: Course) -> Question:
    bundle_load(path=REVIEW, course=course)
    return Question.objects.get(assignment__course=course, assignment__slug="review", slug="scale")


@pytest.fixture
def ta_granted(course: Course):  # type: ignore[no-untyped-def]
    user = make_user("ta_granted")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA, may_regrade=True)
    return user


@pytest.fixture
def kim(course: Course):  # type: ignore[no-untyped-def]
    """A student with a name that can be searched for in a page."""
    user = make_user("kimminji2024")
    user.first_name, user.last_name = "Minji", "Kimura"
    user.save()
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
    return user


def graded(user, question: Question, *, raw: float = 2.0, max_raw: float = 3.0, code: str = CODE,  # type: ignore[no-untyped-def]
           ago: timedelta = timedelta(hours=1)) -> Submission:
    """A graded submission worth ``raw`` of ``max_raw`` grader points, its score as the worker
    would store it (on time: no late credit)."""
    attempt = Submission.objects.filter(user=user, question=question).count() + 1
    fraction = raw / max_raw
    return Submission.objects.create(
        user=user, question=question, version=question.current_version, idempotency_key=f"k{attempt}-{user.pk}",
        code=code, seed=1, attempt=attempt, status=Submission.Status.GRADED, created_at=timezone.now() - ago,
        graded_at=timezone.now(), raw_score=raw, score=round(fraction * question.points, 4),
        max_score=question.points, verdict="partial",
        results={"status": "partial", "score": raw, "max_score": max_raw, "checks": [
            {"name": "scale · small", "passed": True, "score": raw, "max_score": max_raw, "message": "ok"},
        ]},
    )
