"""Personas of the announcement tests: the course's instructor, a TA with the
``may_edit_assignments`` grant, a TA without it, a student (with an e-mail address), an outsider
(instructor of another course) and an anonymous visitor; a fake broker for the outbox task."""

from __future__ import annotations

import pytest
from courses.models import Course, Enrollment

from tests.platform.announcements.helpers import enroll
from tests.platform.conftest import FakeQueue
from tests.platform.grading.helpers import essay, explain, pick  # noqa: F401 (fixtures: manual questions)


@pytest.fixture
def personas(course, instructor, student, outsider):  # type: ignore[no-untyped-def]
    other = Course.objects.create(slug="other", title="Other", join_code="OTHER234")
    Enrollment.objects.create(course=other, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    student.email = "owner@example.com"
    student.save(update_fields=["email"])
    return {
        "instructor": instructor,
        "granted_ta": enroll(course, "ta-granted", Enrollment.Role.TA, may_edit_assignments=True),
        "ta": enroll(course, "ta-plain", Enrollment.Role.TA),
        "student": student,
        "outsider": outsider,
        "anonymous": None,
    }


@pytest.fixture
def mail_queue(monkeypatch: pytest.MonkeyPatch) -> FakeQueue:
    """The broker as the outbox sees it: the ids of the e-mails sent to the worker."""
    from announcements import tasks

    fake = FakeQueue()
    monkeypatch.setattr(tasks.send_email, "apply_async", fake.apply_async)
    return fake
