"""Exam pages: who may use each staff view (owner / TA with the grant / TA without / student /
outsider / anonymous), the student's exam page and clock, and every question page and JSON
endpoint refusing outside the student's running session."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from exams.models import ExamExtension, ExamSession, ExamSettings
from exams.services import exam_start
from submissions.models import Draft, Submission

from tests.platform.announcements.helpers import client_for
from tests.platform.conftest import CORRECT_SCALE

ROLES = ["instructor", "granted_ta", "ta", "student", "outsider", "anonymous"]
# What each persona gets from a staff page: 200 with the grant, 403 staff without it, 404 others.
EXPECTED = {"instructor": 200, "granted_ta": 200, "ta": 403, "student": 404, "outsider": 404}


def staff_urls(course, assignment):  # type: ignore[no-untyped-def]
    return [reverse("exams:index", args=[course.pk]), reverse("exams:settings", args=[course.pk, assignment.pk])]


def expect(response, who):  # type: ignore[no-untyped-def]
    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == EXPECTED[who], (who, response.status_code)


@pytest.mark.parametrize("who", ROLES)
def test_the_staff_pages_need_the_grant(personas, course, exam, who):
    client = client_for(personas[who])
    for url in staff_urls(course, exam.assignment):
        expect(client.get(url), who)


@pytest.mark.parametrize("who", ROLES)
def test_only_granted_staff_change_settings_and_extra_time(personas, course, exam, student, who):
    client = client_for(personas[who])
    assignment = exam.assignment
    response = client.post(reverse("exams:settings", args=[course.pk, assignment.pk]), {
        "enabled": "on", "duration_minutes": "45", "hold_feedback": "on", "password": "pw-123",
    })
    allowed = EXPECTED.get(who) == 200
    if allowed:
        assert response.status_code == 302
    else:
        expect(response, who) if who == "anonymous" else None
        assert response.status_code in (302, 403, 404)
    exam.refresh_from_db()
    assert (exam.duration_minutes == 45) == allowed and bool(exam.password_hash) == allowed
    response = client.post(reverse("exams:extension_new", args=[course.pk, assignment.pk]), {
        "student": str(student.pk), "time_factor": "1.5", "extra_minutes": "5", "reason": "accommodation",
    })
    assert ExamExtension.objects.filter(student=student).exists() == allowed
    if allowed:
        extension = ExamExtension.objects.get(student=student)
        response = client.post(reverse("exams:extension_delete", args=[course.pk, assignment.pk, extension.pk]))
        assert response.status_code == 302 and not ExamExtension.objects.exists()


def test_ids_of_another_course_are_404_even_for_its_staff(personas, course, exam):
    client = client_for(personas["outsider"])
    other = personas["outsider"].enrollments.get().course
    assert client.get(reverse("exams:settings", args=[other.pk, exam.assignment.pk])).status_code == 404


def test_the_course_page_links_the_exams_for_granted_staff_only(personas, course, exam):
    url = reverse("courses:detail", args=[course.pk])
    assert "exams-link" in client_for(personas["instructor"]).get(url).content.decode()
    assert "exams-link" not in client_for(personas["ta"]).get(url).content.decode()
    assert "exams-link" not in client_for(personas["student"]).get(url).content.decode()


def test_a_bad_setting_is_shown_on_the_form(personas, course, exam):
    response = client_for(personas["instructor"]).post(reverse("exams:settings", args=[course.pk, exam.assignment.pk]), {
        "enabled": "on", "duration_minutes": "30", "opens_at": "2026-01-02T10:00", "closes_at": "2026-01-01T10:00",
    })
    assert response.status_code == 400 and ExamSettings.objects.get().duration_minutes == 60


def question_urls(question):  # type: ignore[no-untyped-def]
    return reverse("assessments:question", args=[question.pk])


def post_json(client, url, data):  # type: ignore[no-untyped-def]
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_before_the_start_no_question_page_and_no_endpoint(exam, student, code_question):
    client = client_for(student)
    page = client.get(question_urls(code_question))
    assert page.status_code == 403 and "def scale" not in page.content.decode()
    assert "exam-locked" in page.content.decode()
    for url, body in ((reverse("submissions:draft", args=[code_question.pk]), {"code": "x = 1"}),
                      (reverse("submissions:submit", args=[code_question.pk]),
                       {"code": CORRECT_SCALE, "idempotency_key": "k-12345678"})):
        response = post_json(client, url, body)
        assert response.status_code == 403 and "시험 페이지에서 시험을 시작하세요" in response.json()["error"]
    assert not Draft.objects.exists() and not Submission.objects.exists()


def test_the_exam_page_starts_the_clock_and_shows_the_questions(exam, student, code_question):
    client = client_for(student)
    url = reverse("exams:exam", args=[exam.assignment.course_id, exam.assignment.pk])
    page = client.get(url).content.decode()
    assert 'id="start-exam"' in page and "60" in page and question_urls(code_question) not in page
    response = client.post(url)
    assert response.status_code == 302 and ExamSession.objects.filter(student=student).exists()
    page = client.get(url).content.decode()
    assert question_urls(code_question) in page and 'id="exam-clock"' in page
    question_page = client.get(question_urls(code_question))
    assert question_page.status_code == 200 and 'id="exam-clock"' in question_page.content.decode()
    clock = client.get(reverse("exams:clock", args=[exam.assignment.pk])).json()
    assert 3590 < clock["remaining"] <= 3600 and clock["finished"] is False


def test_a_wrong_password_is_refused_on_the_page(exam, student):
    exam.password_hash = "x"  # any hash: nothing matches it
    exam.save()
    url = reverse("exams:exam", args=[exam.assignment.course_id, exam.assignment.pk])
    response = client_for(student).post(url, {"password": "guess"})
    assert response.status_code == 403 and not ExamSession.objects.exists()


def test_after_the_end_every_page_and_endpoint_refuses(exam, student, code_question, quiz_question):
    session = exam_start(user=student, assignment=exam.assignment)
    Draft.objects.create(user=student, question=code_question, code=CORRECT_SCALE,
                         saved_at=timezone.now() - timedelta(seconds=5))
    ExamSession.objects.filter(pk=session.pk).update(started_at=session.started_at - timedelta(hours=1),
                                                     ends_at=timezone.now() - timedelta(seconds=1))
    client = client_for(student)
    page = client.get(question_urls(code_question))
    assert page.status_code == 403 and "시험 시간이 끝났습니다" in page.content.decode()
    for url, body in ((reverse("submissions:draft", args=[code_question.pk]), {"code": "x = 2"}),
                      (reverse("submissions:submit", args=[code_question.pk]),
                       {"code": CORRECT_SCALE, "idempotency_key": "k-87654321"})):
        response = post_json(client, url, body)
        assert response.status_code == 403 and "시험 시간이 끝났습니다" in response.json()["error"]
    assert Draft.objects.get().code == CORRECT_SCALE
    clock = client.get(reverse("exams:clock", args=[exam.assignment.pk])).json()
    assert clock["remaining"] == 0
    finished = post_json(client, reverse("exams:finish", args=[exam.assignment.pk]), {}).json()
    assert finished["finished"] and finished["submitted"] == [code_question.pk]
    assert post_json(client, reverse("exams:finish", args=[exam.assignment.pk]), {}).json()["submitted"] == []
    page = client.get(reverse("exams:exam", args=[exam.assignment.course_id, exam.assignment.pk])).content.decode()
    assert "exam-over" in page and question_urls(code_question) not in page


def test_the_quiz_of_an_exam_refuses_answers_outside_the_session(exam, student, quiz_question):
    exam_settings = ExamSettings.objects.create(assignment=quiz_question.assignment, duration_minutes=10)
    client = client_for(student)
    response = client.post(question_urls(quiz_question), {"choice": "a"})
    assert response.status_code == 403 and "exam-locked" in response.content.decode()
    assert not quiz_question.quiz_answers.exists() and exam_settings.pk


def test_the_refusal_is_in_english_for_an_english_browser(exam, student, code_question):
    response = client_for(student).get(question_urls(code_question), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "start it on the exam page" in response.content.decode()


def test_staff_see_exam_questions_without_starting(exam, instructor, code_question):
    assert client_for(instructor).get(question_urls(code_question)).status_code == 200


def test_the_clock_and_finish_are_for_members_only(exam, outsider, student):
    assert client_for(outsider).get(reverse("exams:clock", args=[exam.assignment.pk])).status_code == 404
    response = client_for(None).get(reverse("exams:clock", args=[exam.assignment.pk]))
    assert response.status_code == 401
    response = post_json(client_for(student), reverse("exams:finish", args=[exam.assignment.pk]), {})
    assert response.status_code == 409
