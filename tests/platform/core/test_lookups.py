"""The course-scoped lookups of ``courses.selectors`` (who the students and staff of a course are,
one member's enrollment), and the pages that list every student: their query count must not grow
with the number of students."""

from __future__ import annotations

from datetime import timedelta

import pytest
from courses.models import Course, Enrollment
from courses.selectors import (
    course_staff,
    course_staff_ids,
    course_student_enrollments,
    course_student_get,
    course_student_ids,
    course_students,
    enrollment_get,
    is_course_staff,
)
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from submissions.models import Submission

from tests.platform.conftest import make_user
from tests.platform.insights import factories as f


@pytest.fixture
def ta(course: Course):  # type: ignore[no-untyped-def]
    user = make_user("ta1")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA)
    return user


@pytest.fixture
def elsewhere(db: None):  # type: ignore[no-untyped-def]
    """A student of another course."""
    other = Course.objects.create(slug="other", title="다른 강좌", join_code="OTHER234")
    user = make_user("zed")
    Enrollment.objects.create(course=other, user=user, role=Enrollment.Role.STUDENT)
    return user


def test_the_students_of_a_course_are_its_student_enrollments_by_username(
    course, instructor, ta, student, fellow, elsewhere, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):  # users come with the enrollments
        names = [e.user.username for e in course_students(course=course)]
    assert names == ["fellow", "owner"]
    assert list(course_students(course=course.pk)) == list(course_students(course=course))
    assert set(course_student_ids(course=course)) == {student.pk, fellow.pk}
    assert course_student_enrollments(course=course.pk).count() == 2


def test_student_ids_are_a_subquery_until_read(course, student, fellow, django_assert_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        ids = course_student_ids(course=course.pk)
    with django_assert_num_queries(1):
        assert Submission.objects.filter(user_id__in=ids).count() == 0


def test_one_student_of_a_course(course, instructor, student, elsewhere):  # type: ignore[no-untyped-def]
    found = course_student_get(course=course, user_id=student.pk)
    assert found is not None and found.user == student
    assert course_student_get(course=course, user_id=instructor.pk) is None  # staff are not students
    assert course_student_get(course=course.pk, user_id=elsewhere.pk) is None  # ids never cross courses


def test_the_staff_of_a_course(course, instructor, ta, student, elsewhere):  # type: ignore[no-untyped-def]
    assert [(e.user.username, e.role) for e in course_staff(course=course)] == [("prof", "instructor"), ("ta1", "ta")]
    assert set(course_staff_ids(course=course.pk)) == {instructor.pk, ta.pk}
    assert is_course_staff(user=ta, course=course) and is_course_staff(user=instructor, course=course.pk)
    assert not is_course_staff(user=student, course=course)
    assert not is_course_staff(user=elsewhere, course=course)


def test_a_members_enrollment(course, student, elsewhere):  # type: ignore[no-untyped-def]
    assert enrollment_get(user=student, course=course).role == Enrollment.Role.STUDENT
    assert enrollment_get(user=student, course=course.pk) is not None
    assert enrollment_get(user=elsewhere, course=course) is None
    assert enrollment_get(user=AnonymousUser(), course=course) is None


# ---- pages that list every student: queries independent of how many there are -----------------


def add_students(course: Course, question, count: int, start: int) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    for number in range(start, start + count):
        user = make_user(f"student{number:03d}")
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        for minutes in (20, 5):
            f.submission(user=user, question=question, at=now - timedelta(minutes=minutes),
                         checks=[f.check("a", minutes == 5), f.check("b", True)])


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_pages_listing_students_do_not_query_per_student(course, instructor, code_question):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(instructor)
    course_id, assignment_id = course.pk, code_question.assignment_id
    urls = [
        reverse("gradebook:table", args=[course_id]),
        reverse("gradebook:csv", args=[course_id]),
        reverse("insights:assignment", args=[course_id, assignment_id]),
        reverse("insights:question", args=[course_id, code_question.pk]),
        reverse("insights:live_data", args=[course_id]),
        reverse("assessments:question_submissions", args=[code_question.pk]),
    ]
    add_students(course, code_question, 2, start=0)
    for url in urls:
        client.get(url)  # warm whatever is cached per process (kinds, versions)
    few = {url: queries(client, url) for url in urls}
    add_students(course, code_question, 6, start=100)
    many = {url: queries(client, url) for url in urls}
    assert many == few
