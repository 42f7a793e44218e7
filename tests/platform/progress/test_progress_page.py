"""A student's own progress page: who may open it, what it shows (scores by the gradebook's rule
and the same total staff see, the student's own due dates, late work, answers waiting for staff,
late days), what it must not show (scores not revealed yet), spending a late day from it, the
staff's late-day settings and the gradebook's per-student record, and a query count that does
not grow with the number of assignments and questions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from assessments.models import Assignment, Question
from courses.models import Course, Enrollment
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from gradebook.matrix import gradebook_matrix
from gradebook.page import gradebook_page
from progress.selectors import student_progress
from scoring.models import Extension, LateTokenCap, LateTokenSetting, LateTokenSpend
from scoring.tokens import late_token_setting_update
from submissions.models import QuizAnswer

from tests.platform.grading.helpers import answer as essay_answer
from tests.platform.grading.helpers import essay, explain  # noqa: F401 (fixtures)
from tests.platform.scoring.helpers import answer, enroll

NOW = timezone.now()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def personas(course, instructor, student, fellow, outsider):  # type: ignore[no-untyped-def]
    other = Course.objects.create(slug="other", title="Other", join_code="OTHER234")
    Enrollment.objects.create(course=other, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    return {
        "instructor": instructor,
        "granted_ta": enroll(course, "ta-granted", Enrollment.Role.TA, may_regrade=True),
        "ta": enroll(course, "ta-plain", Enrollment.Role.TA),
        "student": student,
        "fellow": fellow,
        "outsider": outsider,
    }


def due_in(assignment: Assignment, hours: float) -> Assignment:
    assignment.due_at = NOW + timedelta(hours=hours)
    assignment.save()
    return assignment


def progress_url(course: Course) -> str:
    return reverse("progress:course", args=[course.pk])


def spend_url(course: Course, assignment: Assignment) -> str:
    return reverse("progress:spend_late_day", args=[course.pk, assignment.pk])


def row_html(page: str, slug: str, table: str = "progress-assignments") -> str:
    return page.split(f'class="table {table}"')[1].split(f'data-assignment="{slug}"')[1].split("</tr>")[0]


# Who may open it.

@pytest.mark.parametrize(("who", "status"), [
    ("student", 200), ("fellow", 200), ("instructor", 302), ("granted_ta", 302), ("ta", 302), ("outsider", 404),
])
def test_who_may_open_the_progress_page(personas, course, quiz_assignment, who, status):
    response = client_for(personas[who]).get(progress_url(course))
    assert response.status_code == status
    if status == 302:  # staff: the gradebook shows every student
        assert response["Location"] == reverse("gradebook:table", args=[course.pk])


def test_anonymous_visitors_are_sent_to_log_in(course, quiz_assignment):
    for response in (Client().get(progress_url(course)), Client().post(spend_url(course, quiz_assignment), {"number": 1})):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_student_sees_only_their_own_scores(personas, course, quiz_question):
    answer(personas["fellow"], quiz_question, "right")
    answer(personas["student"], quiz_question, "wrong")
    mine = client_for(personas["student"]).get(progress_url(course)).content.decode()
    theirs = client_for(personas["fellow"]).get(progress_url(course)).content.decode()
    assert "0 / 2" in row_html(mine, "quiz") and "2 / 2" in row_html(theirs, "quiz")
    assert "fellow" not in mine


# What it shows.

def test_the_total_is_the_one_the_gradebook_shows(course, instructor, student, fellow, quiz_question, mini_assignment,
                                                  explain):  # noqa: F811
    answer(student, quiz_question, "right")
    answer(fellow, quiz_question, "wrong")
    essay_answer(student, explain)
    enrollment = Enrollment.objects.get(course=course, user=student)
    progress = student_progress(course=course, enrollment=enrollment, at=timezone.now())
    staff = gradebook_page(matrix=gradebook_matrix(course=course, cells=False), params=Client().get("/").wsgi_request.GET,
                           drilled=False, labels={"name": "n", "total": "t", "sum": "s"})
    staff_row = next(row for row in staff.rows if row.enrollment.user_id == student.pk)
    assert progress.hidden == 0
    assert (progress.total, progress.max_total, progress.percent) == (
        staff_row.total.points, staff.headers[0].max_points, staff_row.total.percent)
    assert progress.total == 2.0 and progress.pending == 1  # the essay waits for staff
    page = client_for(student).get(progress_url(course)).content.decode()
    assert f'<strong class="total">{staff_row.total.points:g}</strong>' in page


def test_own_due_date_state_late_work_and_pending(course, instructor, student, quiz_question, explain):  # noqa: F811
    quiz = due_in(quiz_question.assignment, -2)
    answer(student, quiz_question, "right")  # two hours late
    Extension.objects.create(assignment=explain.assignment, student=student, due_at=NOW + timedelta(days=3))
    due_in(explain.assignment, 5)
    essay_answer(student, explain)
    page = client_for(student).get(progress_url(course)).content.decode()
    quiz_row = row_html(page, "quiz")
    assert "past due: late work" in quiz_row and "1 late answer" in quiz_row and "1.50 / 2" in quiz_row
    essay_row = row_html(page, "essay")
    own_due = timezone.localtime(NOW + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert own_due in essay_row and "extended" in essay_row and "1 waiting for grading" in essay_row
    # Both are still open for this student, by their own due date: the quiz (past due) first.
    open_table = page.split('class="table open-assignments"')[1].split("</table>")[0]
    assert open_table.index('data-assignment="quiz"') < open_table.index('data-assignment="essay"')
    assert quiz.published


@pytest.mark.parametrize("mode", [Assignment.FeedbackVisibility.AFTER_DUE, Assignment.FeedbackVisibility.NEVER])
def test_a_score_not_revealed_yet_is_never_shown(course, student, quiz_question, mini_assignment, mode):
    assignment = due_in(quiz_question.assignment, 5)
    assignment.feedback_visibility = mode
    assignment.save()
    answer(student, quiz_question, "right")
    enrollment = Enrollment.objects.get(course=course, user=student)
    progress = student_progress(course=course, enrollment=enrollment, at=timezone.now())
    assert progress.hidden == 1 and progress.total == 0
    assert progress.max_total == sum(q.points for q in Question.objects.filter(assignment=mini_assignment))
    page = client_for(student).get(progress_url(course)).content.decode()
    row = row_html(page, "quiz")
    assert "2 / 2" not in row and "100%" not in row
    assert ("shown after your due date" if mode == "after_due" else "not shown") in row
    assert "not shown yet and is not in this total" in page
    if mode == Assignment.FeedbackVisibility.AFTER_DUE:  # past the student's own due date: shown
        later = student_progress(course=course, enrollment=enrollment, at=NOW + timedelta(hours=6))
        assert later.hidden == 0 and later.total == 2.0


def test_unpublished_assignments_are_not_listed(course, student, quiz_assignment, mini_assignment):
    mini_assignment.published = False
    mini_assignment.save()
    page = client_for(student).get(progress_url(course)).content.decode()
    assert 'data-assignment="quiz"' in page and 'data-assignment="mini"' not in page


def test_the_course_page_and_the_nav_link_the_progress_page_for_students(course, instructor, student, quiz_assignment):
    url = progress_url(course)
    page = client_for(student).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert page.count(f'href="{url}"') == 2  # the course page's card and the nav
    staff_page = client_for(instructor).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert f'href="{url}"' not in staff_page
    assignment_page = client_for(student).get(
        reverse("assessments:assignment", args=[course.pk, quiz_assignment.pk])).content.decode()
    assert f'href="{url}"' in assignment_page


def test_the_page_is_korean(course, student, quiz_assignment):
    late_token_setting_update(course=course, actor=student, tokens_per_student=2, max_per_assignment=1)
    due_in(quiz_assignment, 5)
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(student)
    page = client.get(progress_url(course)).content.decode()
    for korean in ("내 진행 상황", "강좌 총점", "지각 허용일", "모든 과제", "지각 허용일 사용 (+1일)"):
        assert korean in page, korean
    for english in ("My progress", "Course total", "All assignments", "Use a late day"):
        assert english not in page, english


# Late days from the page.

def test_a_student_spends_a_late_day_and_sees_the_new_due_date(course, instructor, student, quiz_question):
    late_token_setting_update(course=course, actor=instructor, tokens_per_student=3, max_per_assignment=2)
    quiz = due_in(quiz_question.assignment, -2)
    late = answer(student, quiz_question, "right")
    client = client_for(student)
    page = client.get(progress_url(course)).content.decode()
    assert 'class="late-days-left">3<' in page and 'name="number" value="1"' in page
    response = client.post(spend_url(course, quiz), {"number": "1"}, follow=True)
    page = response.content.decode()
    new_due = timezone.localtime(quiz.due_at + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    assert f"now due {new_due}" in page and new_due in row_html(page, "quiz")
    assert 'class="late-days-left">2<' in page and "+1 late day" in row_html(page, "quiz")
    late.refresh_from_db()
    assert late.score == pytest.approx(2.0) and late.late_days == 0
    # The same form again (a second click): nothing more is spent.
    page = client.post(spend_url(course, quiz), {"number": "1"}, follow=True).content.decode()
    assert "already spent" in page and LateTokenSpend.objects.count() == 1


def test_a_refusal_is_shown_and_nothing_is_spent(course, instructor, student, quiz_assignment):
    LateTokenSetting.objects.create(course=course, tokens_per_student=1, max_per_assignment=1)
    LateTokenCap.objects.create(assignment=quiz_assignment, max_tokens=0)
    due_in(quiz_assignment, 5)
    page = client_for(student).post(spend_url(course, quiz_assignment), {"number": "1"}, follow=True).content.decode()
    assert "cannot be spent on this assignment" in page
    assert 'class="spend-late-day"' not in page  # no button where it would be refused
    assert not LateTokenSpend.objects.exists()


@pytest.mark.parametrize(("who", "status"), [
    ("instructor", 302), ("ta", 302), ("fellow", 302), ("outsider", 404),
])
def test_only_the_student_themselves_spends(personas, course, quiz_assignment, who, status):
    LateTokenSetting.objects.create(course=course, tokens_per_student=1)
    due_in(quiz_assignment, 5)
    client = client_for(personas[who])
    assert client.get(spend_url(course, quiz_assignment)).status_code in (404, 405)
    assert client.post(spend_url(course, quiz_assignment), {"number": "1"}).status_code == status
    spends = LateTokenSpend.objects.all()
    assert [s.student.username for s in spends] == (["fellow"] if who == "fellow" else [])


def test_a_bad_number_is_400(course, student, quiz_assignment):
    assert client_for(student).post(spend_url(course, quiz_assignment), {"number": "x"}).status_code == 400


# Staff: settings and the gradebook.

@pytest.mark.parametrize(("who", "status"), [
    ("instructor", 302), ("granted_ta", 302), ("ta", 403), ("student", 404), ("outsider", 404),
])
def test_who_may_set_late_days(personas, course, who, status):
    url = reverse("scoring:late_days", args=[course.pk])
    response = client_for(personas[who]).post(url, {"tokens_per_student": "4", "max_per_assignment": "1"})
    assert response.status_code == status
    saved = LateTokenSetting.objects.filter(course=course).first()
    if status == 302:
        assert saved is not None and (saved.tokens_per_student, saved.max_per_assignment) == (4, 1)
    else:
        assert saved is None
    anonymous = Client().post(url, {"tokens_per_student": "4", "max_per_assignment": "1"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_settings_pages_show_and_save_late_days(course, instructor, quiz_assignment):
    client = client_for(instructor)
    overview = client.get(reverse("scoring:overview", args=[course.pk])).content.decode()
    assert 'name="tokens_per_student"' in overview
    client.post(reverse("scoring:late_days", args=[course.pk]), {"tokens_per_student": "2", "max_per_assignment": "2"})
    url = reverse("scoring:assignment_settings", args=[course.pk, quiz_assignment.pk])
    assert 'name="max_tokens"' in client.get(url).content.decode()
    assert client.post(url, {"form": "late_days", "max_tokens": "0"}).status_code == 302
    assert LateTokenCap.objects.get(assignment=quiz_assignment).max_tokens == 0
    client.post(url, {"form": "late_days", "max_tokens": ""})
    assert not LateTokenCap.objects.exists()
    bad = client.post(reverse("scoring:late_days", args=[course.pk]), {"tokens_per_student": "-1", "max_per_assignment": "2"},
                      follow=True)
    assert "whole numbers" in bad.content.decode()


def test_the_gradebook_student_page_shows_used_and_left(course, instructor, student, quiz_assignment):
    late_token_setting_update(course=course, actor=instructor, tokens_per_student=3, max_per_assignment=2)
    due_in(quiz_assignment, 5)
    client_for(student).post(spend_url(course, quiz_assignment), {"number": "1"})
    page = client_for(instructor).get(reverse("gradebook:student", args=[course.pk, student.pk])).content.decode()
    assert "1 used, 2 left of 3." in page
    spends = page.split('class="table late-day-spends"')[1].split("</table>")[0]
    assert quiz_assignment.display_title in spends
    table = client_for(instructor).get(reverse("gradebook:table", args=[course.pk])).content.decode()
    owner_row = table.split('data-student="owner"')[1].split("</tr>")[0]
    assert "late days 1/3" in owner_row and 'title="1 used, 2 left of 3."' in owner_row
    settings_page = client_for(instructor).get(
        reverse("scoring:assignment_settings", args=[course.pk, quiz_assignment.pk])).content.decode()
    assert "+1 late day (the student&#x27;s)" in settings_page or "+1 late day (the student's)" in settings_page


# Queries.

def add_assignments(course: Course, count: int, questions: int) -> None:
    for index in range(count):
        assignment = Assignment.objects.create(course=course, slug=f"extra-{index}", title={"en": f"Extra {index}"},
                                               due_at=NOW + timedelta(days=index + 1))
        for number in range(questions):
            Question.objects.create(assignment=assignment, slug=f"q{number}", kind="multiple_choice", points=1)


def count_queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_gradebook_shows_no_late_days_when_the_course_does_not_use_them(course, instructor, student, quiz_assignment):
    table = client_for(instructor).get(reverse("gradebook:table", args=[course.pk])).content.decode()
    assert 'data-student="owner"' in table and "late-days-used" not in table


def test_queries_do_not_grow_with_assignments_and_questions(course, instructor, student, quiz_question,
                                                            django_assert_max_num_queries):
    late_token_setting_update(course=course, actor=instructor, tokens_per_student=3, max_per_assignment=2)
    answer(student, quiz_question, "right")
    Extension.objects.create(assignment=quiz_question.assignment, student=student, due_at=NOW + timedelta(days=2))
    client = client_for(student)
    few = count_queries(client, progress_url(course))
    add_assignments(course, 12, 6)
    for question in Question.objects.filter(assignment__slug__startswith="extra-")[:20]:
        QuizAnswer.objects.create(user=student, question=question, version=quiz_question.current_version, seed=1,
                                  attempt=1, answer={}, score=1, max_score=1, fraction=1, correct=True)
    many = count_queries(client, progress_url(course))
    assert many == few and few <= 14, few  # session, user, enrollment, the matrix, policies, late days
    with django_assert_max_num_queries(few):
        client.get(progress_url(course))
