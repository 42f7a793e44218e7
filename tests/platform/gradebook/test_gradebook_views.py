"""The gradebook pages: permissions per persona, ids scoped to the course, the matrix page and its
filters, the per-student record, the CSV export and the import's preview / apply steps."""

from __future__ import annotations

import pytest
from courses.models import Enrollment
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from grading.services import manual_grade_save
from scoring.models import ScoreChange
from submissions.models import QuizAnswer
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE, make_user
from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import answer, client_for


def read_urls(course, student) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        reverse("gradebook:table", args=[course.pk]),
        reverse("gradebook:csv", args=[course.pk]),
        reverse("gradebook:csv_questions", args=[course.pk]),
        reverse("gradebook:student", args=[course.pk, student.pk]),
    ]


@pytest.mark.parametrize("persona", ["instructor", "ta"])
def test_staff_read_every_gradebook_page(request, persona, course, student, explain):
    client = client_for(request.getfixturevalue(persona))
    for url in read_urls(course, student):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["student", "fellow", "other_staff"])
def test_students_and_outsiders_get_404(request, persona, course, student, explain):
    client = client_for(request.getfixturevalue(persona))
    for url in [*read_urls(course, student), reverse("gradebook:import", args=[course.pk])]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("gradebook:import", args=[course.pk]),
                           {"step": "apply", "text": "owner,essay/explain,3,"})
    assert response.status_code == 404


def test_the_import_needs_the_regrade_grant_for_tas(course, instructor, ta, student, explain):
    url = reverse("gradebook:import", args=[course.pk])
    answer(student, explain)
    assert client_for(instructor).get(url).status_code == 200
    assert client_for(ta).get(url).status_code == 403
    assert client_for(ta).post(url, {"step": "apply", "text": "owner,essay/explain,3,"}).status_code == 403
    assert QuizAnswer.objects.get(user=student, question=explain).score is None
    Enrollment.objects.filter(user=ta, course=course).update(may_regrade=True)
    assert client_for(ta).get(url).status_code == 200


def test_a_student_page_of_another_course_or_a_staff_member_is_404(course, instructor, ta, other_course, explain):
    stranger = make_user("stranger")
    Enrollment.objects.create(course=other_course, user=stranger, role=Enrollment.Role.STUDENT)
    client = client_for(instructor)
    assert client.get(reverse("gradebook:student", args=[course.pk, stranger.pk])).status_code == 404
    assert client.get(reverse("gradebook:student", args=[course.pk, ta.pk])).status_code == 404


def test_the_matrix_page_shows_scores_pending_and_filters(course, instructor, ta, student, fellow, explain, second):
    manual_grade_save(answer_id=answer(student, explain).pk, grader=ta, checked=[0, 2])
    answer(fellow, explain)
    client = client_for(instructor)
    html = client.get(reverse("gradebook:table", args=[course.pk])).content.decode()
    owner_row = html.split('data-student="owner"')[1].split("</tr>")[0]
    fellow_row = html.split('data-student="fellow"')[1].split("</tr>")[0]
    assert '<td class="num total">3 <small class="pct">50%</small></td>' in owner_row
    assert "pending" in fellow_row and "pending" not in owner_row
    html = client.get(reverse("gradebook:table", args=[course.pk]) + f"?assignment={explain.assignment_id}").content.decode()
    owner_row = html.split('data-student="owner"')[1].split("</tr>")[0]
    assert '<td class="num cell">3</td>' in owner_row  # the drill-down: one cell per question
    html = client.get(reverse("gradebook:table", args=[course.pk]) + "?q=fel&incomplete=on").content.decode()
    assert 'data-student="fellow"' in html and 'data-student="owner"' not in html


def test_the_question_csv_download_keeps_filters_and_has_a_bom(course, instructor, student, explain, essay):
    answer(student, explain)
    response = client_for(instructor).get(reverse("gradebook:csv_questions", args=[course.pk]) + f"?assignment={essay.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header == "username,name,essay/explain,essay/second,essay/pick,essay (sum),total"


def test_the_student_page_lists_attempts_and_audit_rows(course, instructor, ta, student, explain, code_question):
    submission = submission_create(user=student, question=code_question, code=CORRECT_SCALE,
                                   idempotency_key="key-grade-0001").submission
    given = answer(student, explain, "<i>제 답</i>")
    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0], comment="보충하세요")
    html = client_for(instructor).get(reverse("gradebook:student", args=[course.pk, student.pk]),
                                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("submissions:status", args=[submission.pk]) in html
    assert "&lt;i&gt;제 답&lt;/i&gt;" in html and "보충하세요" in html
    changes = html.split('class="table score-changes"')[1]
    assert "— → 1" in changes and "ta1" in changes and "Manual grading" in changes


def test_import_preview_then_apply_through_the_pages(course, instructor, student, fellow, explain):
    answer(student, explain)
    url = reverse("gradebook:import", args=[course.pk])
    client = client_for(instructor)
    upload = SimpleUploadedFile("scores.csv", "username,question,score,comment\nowner,essay/explain,2,잘함\nghost,essay/explain,1,\n".encode("cp949"))
    response = client.post(url, {"step": "preview", "file": upload})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="change"' in html and "ghost" in html and 'class="error"' in html
    assert QuizAnswer.objects.get(user=student, question=explain).score is None  # a preview writes nothing
    text = html.split('<textarea name="text" hidden>')[1].split("</textarea>")[0]
    import html as html_lib

    response = client.post(url, {"step": "apply", "text": html_lib.unescape(text)})
    assert response.status_code == 302
    owner = QuizAnswer.objects.get(user=student, question=explain)
    assert owner.score == 2.0 and owner.feedback == "잘함"
    assert ScoreChange.objects.get(quiz_answer=owner).source == ScoreChange.Source.IMPORT


def test_an_empty_import_is_refused_with_a_message(course, instructor):
    response = client_for(instructor).post(reverse("gradebook:import", args=[course.pk]), {"step": "preview", "text": " "},
                                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Choose a CSV file or paste its lines." in response.content.decode()
