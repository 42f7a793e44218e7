"""Attacks on the roster CSV import (staff only): bytes that are not a UTF-8 CSV, oversized files,
spreadsheet-formula usernames, role escalation by a TA; and formula injection in the gradebook export."""

from __future__ import annotations

import pytest
from courses import services
from courses.models import Enrollment
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from submissions.services.quiz import quiz_answer_create

from tests.platform.conftest import make_user
from tests.platform.hostile_http.helpers import client_for, snapshot


@pytest.fixture
def ta(course):  # type: ignore[no-untyped-def]
    user = make_user("assistant")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA)
    return user


def upload(client, course, content: bytes, name: str = "roster.csv"):  # type: ignore[no-untyped-def]
    return client.post(reverse("courses:roster", args=[course.pk]),
                       {"roster": SimpleUploadedFile(name, content, content_type="text/csv")})


def error_messages(response) -> str:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    return page.split('<ul class="messages">')[1].split("</ul>")[0] if '<ul class="messages">' in page else ""


def line_errors(response) -> str:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    return page.split('<ul class="error">')[1].split("</ul>")[0] if '<ul class="error">' in page else ""


@pytest.mark.parametrize("content", [
    "username\nkim\n".encode("utf-16"),
    b"username,name\nkim,M\xfcller\n",
    b"\xff\xfe\x00\x00garbage",
    bytes(range(128, 256)),
], ids=["utf16", "latin1", "utf32-bom", "high-bytes"])
def test_a_file_that_is_not_utf8_is_refused(course, instructor, content):
    before = snapshot()
    response = upload(client_for(instructor), course, content)
    assert response.status_code == 400 and "not UTF-8" in error_messages(response)
    assert snapshot() == before


@pytest.mark.parametrize("size", [512 * 1024 + 1, 10 * 1024 * 1024])
def test_a_file_over_512_kib_is_refused(course, instructor, size):
    before = snapshot()
    content = b"username\n" + b"a" * (size - 9)
    response = upload(client_for(instructor), course, content)
    assert response.status_code == 413 and "512 KiB" in error_messages(response)
    assert snapshot() == before


def test_a_post_without_a_file_is_refused(course, instructor):
    response = client_for(instructor).post(reverse("courses:roster", args=[course.pk]), {"roster": "not a file"})
    assert response.status_code == 400 and "512 KiB" in error_messages(response)


@pytest.mark.parametrize("content,words", [
    (b"username\nkim\x00\n", "NUL"),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "NUL"),  # an .xlsx renamed to .csv
    (b"username,name\nkim,\"" + b"x" * 200_000 + b"\"\n", "not a CSV"),  # a field beyond csv's limit
    (b"name,email\nkim,kim@example.org\n", "username"),
    (b"", "username"),
    (b"\xef\xbb\xbf", "username"),
], ids=["nul", "xlsx", "huge-field", "no-username-column", "empty", "only-bom"])
def test_files_that_are_not_a_roster_are_refused_whole(course, instructor, content, words):
    before = snapshot()
    response = upload(client_for(instructor), course, content)
    assert response.status_code == 400 and words in error_messages(response)
    assert snapshot() == before


def test_formula_and_odd_usernames_are_refused_line_by_line(course, instructor):
    content = (
        "username,email,name,role\n"
        "=cmd|' /C calc'!A0,,,student\n"
        "+1+1,,,student\n"
        "@SUM,,,\n"
        "-2+3,,,\n"
        "kim lee,,,\n"
        f"{'u' * 151},,,\n"
        "<script>alert(1)</script>,,,\n"
        "good-one,not-an-email,,\n"
        "fine.student,fine@example.org,=HYPERLINK(\"http://evil.example\"),student\n"
        "extra,,,student,surprise,cells\n"
    ).encode()
    response = upload(client_for(instructor), course, content)
    assert response.status_code == 200
    errors = line_errors(response)
    for line in range(2, 10):
        assert f"Line {line}:" in errors, (line, errors)
    assert "<script>alert(1)" not in response.content.decode()
    created = set(get_user_model().objects.values_list("username", flat=True))
    assert created == {"prof", "fine.student", "extra"}
    # A name is a name (the export neutralises it); it just never becomes a username.
    assert get_user_model().objects.get(username="fine.student").first_name == '=HYPERLINK("http://evil.example"),'[:-1]


def test_rows_beyond_the_limit_are_not_imported(course, instructor, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROSTER_ROWS", 20)
    content = ("username\n" + "".join(f"s{index}\n" for index in range(30))).encode()
    response = upload(client_for(instructor), course, content)
    assert response.status_code == 200 and "Stopped after 20 rows" in line_errors(response)
    assert Enrollment.objects.filter(course=course, role="student").count() == 20


def test_new_accounts_are_cheap_to_create_and_rehashed_at_first_login(course, instructor):
    content = ("username\n" + "".join(f"s{index}\n" for index in range(40))).encode()
    response = upload(client_for(instructor), course, content)
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    user = get_user_model().objects.get(username="s7")
    assert user.password.split("$")[1] == str(services.INITIAL_PASSWORD_ITERATIONS)
    password = response.context["report"].created_users["s7"]
    client = client_for()
    assert client.post("/accounts/login/", {"username": "s7", "password": password}).status_code == 302
    user.refresh_from_db()
    assert int(user.password.split("$")[1]) > services.INITIAL_PASSWORD_ITERATIONS


def test_a_ta_cannot_grant_or_change_staff_roles(course, instructor, ta, student):
    before = snapshot()
    content = b"username,role\nassistant,instructor\nprof,student\nowner,ta\nnewcomer,instructor\n"
    response = upload(client_for(ta), course, content)
    assert response.status_code == 200
    errors = line_errors(response)
    assert all(f"Line {line}:" in errors for line in (2, 3, 4, 5)), errors
    assert snapshot() == before
    assert upload(client_for(ta), course, b"username\nnewcomer\n").status_code == 200
    assert Enrollment.objects.get(user__username="newcomer").role == "student"


def test_an_instructor_cannot_demote_themselves_by_roster(course, instructor):
    response = upload(client_for(instructor), course, b"username,role\nprof,student\n")
    assert "Line 2:" in line_errors(response)
    assert Enrollment.objects.get(user=instructor).role == "instructor"


def test_an_instructor_may_still_grant_staff_roles(course, instructor, student):
    response = upload(client_for(instructor), course, b"username,role\nowner,ta\nprof,instructor\n")
    assert response.status_code == 200 and not line_errors(response)
    assert Enrollment.objects.get(user=student).role == "ta"


def test_the_gradebook_export_neutralises_formula_cells(course, instructor, student, quiz_question):
    """Formula injection (issue 6): names that start with = + - @ (or tab/CR) must not run in a
    spreadsheet. The export belongs to the gradebook app; this only checks it from outside."""
    attacks = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    for index, name in enumerate(attacks):
        user = make_user(f"victim{index}")
        user.first_name = name
        user.save()
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        quiz_answer_create(user=user, question=quiz_question, data={"choice": ["right"]})
    export = client_for(instructor).get(reverse("gradebook:csv", args=[course.pk])).content.decode()
    import csv
    import io

    cells = [cell for row in csv.reader(io.StringIO(export)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for name in attacks[:4]:
        assert "'" + name in cells
