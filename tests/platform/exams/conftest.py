"""Personas and an exam: the mini code bundle's assignment made a 60-minute exam."""

from __future__ import annotations

from datetime import timedelta

import pytest
from courses.models import Course, Enrollment
from django.utils import timezone
from exams.services import exam_settings_save

from tests.platform.announcements.helpers import enroll


@pytest.fixture
def personas(course, instructor, student, outsider):  # type: ignore[no-untyped-def]
    other = Course.objects.create(slug="other", title="Other", join_code="OTHER234")
    Enrollment.objects.create(course=other, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    return {
        "instructor": instructor,
        "granted_ta": enroll(course, "ta-granted", Enrollment.Role.TA, may_edit_assignments=True),
        "ta": enroll(course, "ta-plain", Enrollment.Role.TA),
        "student": student,
        "outsider": outsider,
        "anonymous": None,
    }


@pytest.fixture
def exam(mini_assignment, instructor):  # type: ignore[no-untyped-def]
    """The mini assignment as a 60-minute exam, open from an hour ago to three hours from now."""
    now = timezone.now()
    mini_assignment.opens_at, mini_assignment.closes_at = now - timedelta(hours=1), now + timedelta(hours=3)
    mini_assignment.due_at = mini_assignment.closes_at
    mini_assignment.save()
    return exam_settings_save(
        assignment=mini_assignment, actor=instructor, enabled=True, duration_minutes=60, starts_at=None,
        opens_at=None, closes_at=None, hold_feedback=True,
    )


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    """Messages in English (the site's default language is Korean)."""
    from django.utils import translation

    with translation.override("en"):
        yield
