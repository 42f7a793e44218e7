"""Server-rendered pages: the code question page contract, quiz forms, assignment status, gradebook."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from submissions.models import Submission
from submissions.services.grade import submission_grade
from submissions.services.quiz import quiz_answer_create
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE


@pytest.fixture
def client(student) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(student)
    return client


def question_config(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script id="question-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "question-config script missing"
    return json.loads(match.group(1))


def test_the_code_page_has_every_element_the_browser_code_expects(client, code_question):
    html = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    for element in ('id="code-editor"', 'id="code-fallback"', 'id="submit-code"', 'id="reset-template"',
                    'id="draft-status"', 'id="submission-status"', 'id="feedback"', 'id="history"',
                    'id="history-view"', "build/app.js", "build/app.css", 'class="markdown'):
        assert element in html, element
    config = question_config(html)
    assert config["questionId"] == code_question.pk
    assert config["draftUrl"] == f"/api/questions/{code_question.pk}/draft"
    assert config["submitUrl"] == f"/api/questions/{code_question.pk}/submissions"
    assert config["maxCodeBytes"] == 262144 and config["pendingSubmission"] is None
    assert "def scale" in config["template"] and config["lang"] == "ko"
    assert set(config["i18n"]) >= {"saved", "saving", "offline", "queued", "running", "graded", "error",
                                   "tooLarge", "confirmReset", "view", "diff"}


def test_the_code_page_says_what_the_feedback_shows_and_why(client, code_question):
    url = reverse("assessments:question", args=[code_question.pk])
    korean = client.get(url).content.decode()
    assert "피드백이 보여 주는 것과 그 이유" in korean and "새로운 무작위 입력" in korean
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What the feedback shows, and why" in english and "fresh random inputs" in english
    assert "Hidden checks run your code on inputs you do not see" in english


def test_the_code_page_starts_from_the_draft_and_shows_a_pending_submission(client, student, code_question):
    submission = submission_create(user=student, question=code_question, code=CORRECT_SCALE,
                                   idempotency_key="key-00000001").submission
    html = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert question_config(html)["pendingSubmission"] == {
        "id": submission.pk, "statusUrl": f"/api/submissions/{submission.pk}"}
    assert f'data-code-url="/api/submissions/{submission.pk}/code"' in html


def test_the_latest_feedback_is_on_the_page(client, student, code_question, inprocess):
    submission = submission_create(user=student, question=code_question, code=CORRECT_SCALE,
                                   idempotency_key="key-00000001").submission
    submission_grade(submission_id=submission.pk, worker="w")
    html = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert "scale · small" in html and question_config(html)["pendingSubmission"] is None


def test_the_prompt_keeps_math_for_katex(client, quiz_question):
    html = client.get(reverse("assessments:question", args=[quiz_question.pk])).content.decode()
    assert "$x_i$" in html


def test_the_quiz_page_is_a_plain_form_and_grades_on_post(client, student, quiz_question):
    url = reverse("assessments:question", args=[quiz_question.pk])
    html = client.get(url).content.decode()
    assert 'class="quiz-form"' in html and 'name="choice"' in html and "csrfmiddlewaretoken" in html
    assert "<b>bold</b>" not in html  # choice text is escaped
    response = client.post(url, {"choice": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wrong &lt;script&gt;" in page and "<script>x</script>" not in page
    assert "<strong>right</strong>" not in page  # one attempt left: the explanation would give it away
    client.post(url, {"choice": "right"}, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>right</strong>" in page  # the explanation, rendered from Markdown


def test_a_quiz_answer_beyond_the_attempts_is_refused_and_the_form_disabled(client, student, quiz_question):
    url = reverse("assessments:question", args=[quiz_question.pk])
    for _ in range(2):
        client.post(url, {"choice": "wrong"})
    client.post(url, {"choice": "right"})
    assert Submission.objects.count() == 0
    assert quiz_question.quiz_answers.count() == 2
    assert "disabled" in client.get(url).content.decode()


def test_the_assignment_page_shows_each_questions_best_score(client, student, quiz_question):
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["right"]})
    html = client.get(reverse("assessments:assignment", args=[quiz_question.assignment.course_id,
                                                              quiz_question.assignment_id])).content.decode()
    assert re.search(r'class="score">2 / 2<', html)


def test_the_gradebook_sums_best_scores_per_student(course, instructor, student, fellow, quiz_question):
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["wrong"]})
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["right"]})
    client = Client()
    client.force_login(instructor)
    html = client.get(reverse("gradebook:table", args=[course.pk])).content.decode()
    assert "owner" in html and "fellow" in html and "prof" not in html.split("<tbody>")[1]
    assert re.search(r'<td class="num total">2 <small class="pct">\d+%</small></td>', html)


def test_the_interface_speaks_korean_by_default_and_english_on_request(client, course):
    assert "내 강좌" in client.get("/").content.decode()
    assert "My courses" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_login_page_is_public_and_can_switch_language(db):
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_the_gradebook_exports_csv_for_staff_only(course, instructor, student, quiz_question):
    student.first_name = "=HYPERLINK(1)"
    student.save()
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["right"]})
    staff = Client()
    staff.force_login(instructor)
    response = staff.get(reverse("gradebook:csv", args=[course.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "username,name,quiz,total"
    assert lines[1] == "owner,'=HYPERLINK(1),2.0,2.0"
    student_client = Client()
    student_client.force_login(student)
    assert student_client.get(reverse("gradebook:csv", args=[course.pk])).status_code == 404
