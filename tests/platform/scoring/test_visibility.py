"""Feedback visibility where students see results (quiz page, code status JSON and page,
assignment page) and hidden checks, both by the student's own due date."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from scoring.models import Extension
from submissions.feedback import reveals_hidden

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.scoring.helpers import answer, graded_submission

NOW = timezone.now()


def configure(assignment, **fields):  # type: ignore[no-untyped-def]
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.save()


def test_after_due_feedback_is_hidden_on_the_quiz_page_until_the_due_date(client, student, quiz_question):
    configure(quiz_question.assignment, feedback_visibility="after_due", due_at=NOW + timedelta(days=1))
    answer(student, quiz_question, "wrong")
    client.force_login(student)
    page = client.get(reverse("assessments:question", args=[quiz_question.pk])).content.decode()
    assert "feedback-hidden" in page and "Wrong" not in page and "quiz-result wrong" not in page
    configure(quiz_question.assignment, due_at=NOW - timedelta(minutes=1))
    page = client.get(reverse("assessments:question", args=[quiz_question.pk])).content.decode()
    assert "feedback-hidden" not in page and "quiz-result wrong" in page


def test_an_extension_keeps_feedback_hidden_for_that_student(client, student, fellow, quiz_question):
    configure(quiz_question.assignment, feedback_visibility="after_due", due_at=NOW - timedelta(hours=1))
    Extension.objects.create(assignment=quiz_question.assignment, student=student, due_at=NOW + timedelta(days=1))
    answer(student, quiz_question, "right")
    answer(fellow, quiz_question, "right")
    client.force_login(student)
    assert "feedback-hidden" in client.get(reverse("assessments:question", args=[quiz_question.pk])).content.decode()
    client.force_login(fellow)
    assert "feedback-hidden" not in client.get(reverse("assessments:question", args=[quiz_question.pk])).content.decode()


def test_never_hides_code_scores_from_the_student_but_not_from_staff(client, instructor, student, code_question, inprocess):
    configure(code_question.assignment, feedback_visibility="never")
    submission = graded_submission(student, code_question, CORRECT_SCALE)
    url = reverse("submissions:status", args=[submission.pk])
    client.force_login(student)
    data = client.get(url).json()
    assert data["score"] is None and "feedback-hidden" in data["feedback_html"] and "scale · keys" not in data["feedback_html"]
    assert client.get(reverse("submissions:code", args=[submission.pk])).json()["score"] is None
    page = client.get(reverse("assessments:assignment", args=[code_question.assignment.course_id, code_question.assignment_id]))
    assert '<td class="score">— /' in page.content.decode()
    client.force_login(instructor)
    data = client.get(url).json()
    assert data["score"] == 3.0 and "scale · keys" in data["feedback_html"]


def test_hidden_checks_follow_the_students_own_due_date(student, fellow, code_question, inprocess):
    configure(code_question.assignment, hidden_checks="after_due", due_at=NOW - timedelta(hours=1))
    Extension.objects.create(assignment=code_question.assignment, student=student, due_at=NOW + timedelta(days=1))
    mine = graded_submission(student, code_question, CORRECT_SCALE)
    theirs = graded_submission(fellow, code_question, CORRECT_SCALE)
    assert not reveals_hidden(mine, viewer_is_staff=False)
    assert reveals_hidden(theirs, viewer_is_staff=False)
    assert reveals_hidden(mine, viewer_is_staff=True)


def test_the_assignment_page_shows_the_students_extension(client, student, quiz_assignment):
    Extension.objects.create(assignment=quiz_assignment, student=student, due_at=NOW + timedelta(days=3))
    client.force_login(student)
    page = client.get(reverse("assessments:assignment", args=[quiz_assignment.course_id, quiz_assignment.pk]))
    assert 'class="extension"' in page.content.decode()
