"""The dashboards as HTTP pages: who may see them (instructor and TA yes; students, outsiders and
other courses' ids no) and what they show, from submissions stored as the worker stores them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from courses.models import Course, Enrollment
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.platform.conftest import make_user
from tests.platform.insights import factories as f
from tests.platform.insights.samples import INDEPENDENT, SOLUTION, disguised


@pytest.fixture
def ta(course):  # type: ignore[no-untyped-def]
    user = make_user("ta")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA)
    return user


def client_for(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def small(passed: bool, msg: str = "out: 3 of 4 values differ") -> dict:
    return f.check("scale · small", passed, message="" if passed else msg)


def keys(passed: bool) -> dict:
    return f.check("scale · keys", passed, message="" if passed else "names: expected ['a', 'b'], got ['a']")


def grad(passed: bool) -> dict:
    return f.check("scale · gradient", passed, hidden=True,
                   message="" if passed else "dx: expected shape (3,), got (3, 1)")


@pytest.fixture
def graded(student, fellow, code_question):  # type: ignore[no-untyped-def]
    """owner: fails twice then passes; fellow: latest still fails the hidden gradient check."""
    now = timezone.now()
    f.submission(user=student, question=code_question, at=now - timedelta(minutes=50),
                 checks=[small(False, "out: 3 of 4 values differ"), keys(False), grad(False)])
    f.submission(user=student, question=code_question, at=now - timedelta(minutes=40),
                 checks=[small(False, "out: 1 of 4 values differ"), keys(True), grad(False)])
    f.submission(user=student, question=code_question, at=now - timedelta(minutes=30),
                 checks=[small(True), keys(True), grad(True)])
    f.submission(user=fellow, question=code_question, at=now - timedelta(minutes=20),
                 checks=[small(True), keys(True), grad(False)])
    return code_question


def urls_for(course, question, assignment) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        reverse("insights:course", args=[course.pk]),
        reverse("insights:assignment", args=[course.pk, assignment.pk]),
        reverse("insights:question", args=[course.pk, question.pk]),
        reverse("insights:similarity", args=[course.pk, question.pk]),
        reverse("insights:live", args=[course.pk]),
        reverse("insights:live_data", args=[course.pk]),
    ]


def test_instructors_and_tas_see_every_dashboard(instructor, ta, course, graded, mini_assignment):
    for user in (instructor, ta):
        client = client_for(user)
        for url in urls_for(course, graded, mini_assignment):
            assert client.get(url).status_code == 200, (user.username, url)


def test_students_and_outsiders_get_404(student, outsider, course, graded, mini_assignment):
    for user in (student, outsider):
        client = client_for(user)
        for url in urls_for(course, graded, mini_assignment):
            assert client.get(url).status_code == 404, (user.username, url)


def test_anonymous_visitors_are_sent_to_log_in(course, graded, mini_assignment):
    live_data = reverse("insights:live_data", args=[course.pk])
    for url in urls_for(course, graded, mini_assignment):
        response = Client().get(url)
        if url == live_data:  # polled by live.js: a JSON 401 it can show, not a login page it cannot follow
            assert response.status_code == 401 and "error" in response.json(), url
        else:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_ids_from_another_course_are_404_even_for_its_staff(instructor, course, graded, mini_assignment):
    other = Course.objects.create(slug="other", title="다른 강의", join_code="OTHER234")
    Enrollment.objects.create(course=other, user=instructor, role=Enrollment.Role.INSTRUCTOR)
    client = client_for(instructor)
    # This course's question and assignment, asked for under the other course's id.
    for url in (reverse("insights:question", args=[other.pk, graded.pk]),
                reverse("insights:assignment", args=[other.pk, mini_assignment.pk]),
                reverse("insights:similarity", args=[other.pk, graded.pk]),
                reverse("insights:live", args=[other.pk]) + f"?assignment={mini_assignment.pk}"):
        assert client.get(url).status_code == 404, url


def test_question_dashboard_shows_the_histogram_and_failing_checks(instructor, course, graded):
    html = client_for(instructor).get(reverse("insights:question", args=[course.pk, graded.pk])).content.decode()
    assert html.count('class="bar"') >= 10  # the score histogram's bins (plus the other charts)
    assert "<svg" in html and "<title" in html and "<desc" in html
    failing = html[html.index('id="check-failures"'):]
    # owner's latest passes everything; fellow's latest fails only the hidden gradient check.
    assert 'data-check="scale · gradient" data-rate="50"' in failing
    assert failing.index("scale · gradient") < failing.index("scale · small")  # worst first
    assert "dx: expected shape (#,), got (#, #)" in failing  # hidden details: staff see them
    assert 'id="stat-attempted">2 / 2<' in html
    assert 'id="stat-full">1<' in html
    assert 'id="stat-attempts-median">3<' in html
    assert 'id="stat-pass-time">20 min<' in html


def test_dashboards_speak_korean_first(instructor, course, graded):
    html = client_for(instructor, "ko").get(reverse("insights:question", args=[course.pk, graded.pk])).content.decode()
    assert "실패한 검사" in html and "점수 분포" in html and "50% 실패" in html


def test_question_dashboard_of_a_quiz_question(instructor, student, fellow, course, quiz_question):
    now = timezone.now()
    f.quiz_answer(user=student, question=quiz_question, at=now - timedelta(minutes=5), correct=False,
                  misconception="flipped the filter")
    f.quiz_answer(user=fellow, question=quiz_question, at=now - timedelta(minutes=4), correct=True)
    html = client_for(instructor).get(reverse("insights:question", args=[course.pk, quiz_question.pk])).content.decode()
    assert "flipped the filter" in html and 'id="stat-full">1<' in html
    assert client_for(instructor).get(reverse("insights:similarity", args=[course.pk, quiz_question.pk])).status_code == 404


def test_staff_submissions_are_left_out_of_the_numbers(instructor, course, graded):
    f.submission(user=instructor, question=graded, at=timezone.now(), checks=[small(False), keys(False), grad(False)])
    html = client_for(instructor).get(reverse("insights:question", args=[course.pk, graded.pk])).content.decode()
    assert 'id="stat-attempted">2 / 2<' in html


def test_assignment_overview_links_each_question_with_its_mean(instructor, course, graded, mini_assignment):
    html = client_for(instructor).get(reverse("insights:assignment", args=[course.pk, mini_assignment.pk])).content.decode()
    assert reverse("insights:question", args=[course.pk, graded.pk]) in html
    assert 'class="sparkline"' in html and 'class="meter"' in html
    # owner's best 3/3, fellow's best 2/3: mean 5/6.
    assert "83%" in html


def test_course_page_links_to_the_dashboards(instructor, course):
    html = client_for(instructor).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert reverse("insights:course", args=[course.pk]) in html
    assert reverse("insights:live", args=[course.pk]) in html


def test_similarity_lists_the_copied_pair_and_shows_it_escaped(instructor, student, fellow, course, code_question):
    third = make_user("third")
    Enrollment.objects.create(course=course, user=third, role=Enrollment.Role.STUDENT)
    now = timezone.now()
    payload = "\n# </code><script>alert('x')</script>\n"
    a = f.submission(user=student, question=code_question, at=now, code=SOLUTION + payload)
    b = f.submission(user=fellow, question=code_question, at=now, code=disguised(SOLUTION))
    f.submission(user=third, question=code_question, at=now, code=INDEPENDENT)
    client = client_for(instructor)
    html = client.get(reverse("insights:similarity", args=[course.pk, code_question.pk])).content.decode()
    pair_url = reverse("insights:similarity_pair", args=[course.pk, code_question.pk, a.pk, b.pk])
    assert pair_url in html and "third" not in html.split("<tbody>")[1]
    page = client.get(pair_url).content.decode()
    assert "<mark>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    # A submission of another question (or nobody's) is not a pair of this question.
    assert client.get(reverse("insights:similarity_pair", args=[course.pk, code_question.pk, a.pk, 999999])).status_code == 404


def test_live_json_lists_active_students_and_flags_the_struggling(instructor, student, fellow, course, code_question):
    now = timezone.now()
    for minutes in (12, 8, 3):
        f.submission(user=student, question=code_question, at=now - timedelta(minutes=minutes),
                     checks=[small(False), keys(False), grad(False)])
    f.draft(user=fellow, question=code_question, at=now - timedelta(minutes=2))
    data = client_for(instructor).get(reverse("insights:live_data", args=[course.pk])).json()
    assert data["active"] == 2 and data["struggling"] == 1
    first, second = data["students"]
    assert first["username"] == "owner" and "3 failing submissions" in first["struggling"][0]["reason"]
    assert first["questions"][str(code_question.pk)]["tries"] == 3
    assert second["username"] == "fellow" and second["struggling"] == []
    assert second["question"] == code_question.pk
    assert 'class="live-row struggling"' in data["html"]


def test_live_view_page_polls_its_json_endpoint(instructor, course, mini_assignment):
    url = reverse("insights:live", args=[course.pk]) + f"?assignment={mini_assignment.pk}&minutes=20"
    html = client_for(instructor).get(url).content.decode()
    assert 'data-poll-url="' + reverse("insights:live_data", args=[course.pk]) + "?assignment=" in html
    assert "insights/live.js" in html


def test_bad_query_parameters_fall_back_to_defaults(instructor, course, graded):
    client = client_for(instructor)
    similarity = reverse("insights:similarity", args=[course.pk, graded.pk])
    for value in ("abc", "nan", "-3", "1e9"):
        assert client.get(similarity, {"threshold": value}).status_code == 200, value
    live = reverse("insights:live_data", args=[course.pk])
    assert client.get(live, {"minutes": "lots", "assignment": "x"}).json()["minutes"] == 30
    assert client.get(live, {"minutes": "100000"}).json()["minutes"] == 240
    assert client.get(live, {"assignment": "999999"}).status_code == 404
