"""Roster CSV import and the seed_demo command."""

from __future__ import annotations

from io import StringIO

import pytest
from courses.models import Course, Enrollment
from courses.services import CourseRefused, roster_import_csv
from django.contrib.auth import get_user_model
from django.core.management import call_command


def test_roster_import_creates_and_enrolls_people(course, student):
    report = roster_import_csv(course=course, csv_text=(
        "username,email,name,role\nkim,kim@example.org,Kim Minji,student\nlee,,,ta\nowner,,,\n,,,\npark,,,dean\n"
    ))
    assert report.enrolled == ["kim", "lee", "owner"]
    assert set(report.created_users) == {"kim", "lee"}
    assert len(report.errors) == 2
    assert Enrollment.objects.get(course=course, user__username="lee").role == "ta"
    assert get_user_model().objects.get(username="kim").check_password(report.created_users["kim"])


def test_roster_import_needs_a_username_column(course):
    with pytest.raises(CourseRefused, match="username"):
        roster_import_csv(course=course, csv_text="email\nx@example.org\n")


def test_seed_demo_creates_the_demo_course_and_prints_working_logins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())  # idempotent
    course = Course.objects.get(title="딥러닝 기초 (데모)")
    assert course.language == "ko"
    roles = dict(Enrollment.objects.filter(course=course).values_list("user__username", "role"))
    assert roles == {"instructor": "instructor", "ta": "ta", "student1": "student", "student2": "student"}
    assert "student1-demo" in out.getvalue()
    assert get_user_model().objects.get(username="student1").check_password("student1-demo")


def test_the_roster_page_imports_an_uploaded_csv(course, instructor):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(instructor)
    upload = SimpleUploadedFile("roster.csv", "username,name\nchoi,최 지우\n".encode(), content_type="text/csv")
    response = client.post(f"/courses/{course.pk}/roster", {"roster": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "choi" in response.content.decode()
    assert Enrollment.objects.get(course=course, user__username="choi").role == "student"
