"""Who may see what: the owner, a fellow course member, an outsider, an anonymous visitor."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from submissions.models import Draft
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE


@pytest.fixture
def owned(student, code_question):  # type: ignore[no-untyped-def]
    submission = submission_create(user=student, question=code_question, code=CORRECT_SCALE,
                                   idempotency_key="key-00000001").submission
    return submission


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def member_pages(course, code_question, quiz_question):  # type: ignore[no-untyped-def]
    return [
        reverse("courses:detail", args=[course.pk]),
        reverse("assessments:assignment", args=[course.pk, code_question.assignment_id]),
        reverse("assessments:question", args=[code_question.pk]),
        reverse("assessments:question", args=[quiz_question.pk]),
    ]


def test_members_see_course_pages(student, course, code_question, quiz_question):
    client = client_for(student)
    for url in member_pages(course, code_question, quiz_question):
        assert client.get(url).status_code == 200, url


def test_outsiders_get_404_for_course_pages(outsider, course, code_question, quiz_question):
    client = client_for(outsider)
    for url in member_pages(course, code_question, quiz_question):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(course, code_question, quiz_question, owned):
    client = Client()
    urls = [*member_pages(course, code_question, quiz_question), reverse("courses:list"),
            reverse("gradebook:table", args=[course.pk]), reverse("courses:roster", args=[course.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_anonymous_api_calls_get_401_json(code_question, owned):
    client = Client()
    for url in (reverse("submissions:status", args=[owned.pk]), reverse("submissions:code", args=[owned.pk])):
        response = client.get(url)
        assert response.status_code == 401 and response.json()["error"], url
    response = client.post(reverse("submissions:draft", args=[code_question.pk]), data="{}",
                           content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("name", ["submissions:status", "submissions:code"])
def test_a_submission_is_visible_to_its_owner_and_course_staff_only(name, owned, student, fellow, outsider, instructor):
    url = reverse(name, args=[owned.pk])
    assert client_for(student).get(url).status_code == 200
    assert client_for(instructor).get(url).status_code == 200
    assert client_for(fellow).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


def test_a_fellow_never_sees_another_students_code_on_the_question_page(owned, student, fellow, code_question):
    Draft.objects.create(user=student, question=code_question, code="SECRET_DRAFT = 1", saved_at=owned.created_at)
    page = client_for(fellow).get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert "SECRET_DRAFT" not in page and f'data-submission-id="{owned.pk}"' not in page
    own = client_for(student).get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert "SECRET_DRAFT" in own and f'data-submission-id="{owned.pk}"' in own


def test_students_cannot_post_to_questions_outside_their_course(outsider, code_question):
    response = client_for(outsider).post(
        reverse("submissions:submit", args=[code_question.pk]),
        data={"code": CORRECT_SCALE, "idempotency_key": "key-00000009"}, content_type="application/json",
    )
    assert response.status_code == 404 and "error" in response.json()


def test_the_gradebook_is_for_staff_only(course, student, instructor, outsider):
    url = reverse("gradebook:table", args=[course.pk])
    assert client_for(instructor).get(url).status_code == 200
    assert client_for(student).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


def test_the_roster_import_is_for_staff_only(course, student, instructor):
    url = reverse("courses:roster", args=[course.pk])
    assert client_for(instructor).get(url).status_code == 200
    assert client_for(student).get(url).status_code == 404


def test_unpublished_assignments_are_hidden_from_students_but_not_staff(course, student, instructor, code_question):
    assignment = code_question.assignment
    assignment.published = False
    assignment.save()
    url = reverse("assessments:question", args=[code_question.pk])
    assert client_for(student).get(url).status_code == 404
    assert client_for(instructor).get(url).status_code == 200


def test_the_course_list_shows_only_my_courses(student, outsider, course):
    link = f'href="/courses/{course.pk}/"'
    assert link in client_for(student).get("/").content.decode()
    assert link not in client_for(outsider).get("/").content.decode()


def test_joining_by_code_enrolls_as_student(outsider, course):
    client = client_for(outsider)
    response = client.post(reverse("courses:join"), {"code": course.join_code.lower()})
    assert response.status_code == 302
    assert client.get(reverse("courses:detail", args=[course.pk])).status_code == 200


def test_a_wrong_join_code_enrolls_nobody(outsider, course):
    client = client_for(outsider)
    client.post(reverse("courses:join"), {"code": "WRONG000"})
    assert client.get(reverse("courses:detail", args=[course.pk])).status_code == 404


def test_quiz_answers_are_private_and_outsiders_cannot_answer(student, fellow, outsider, quiz_question):
    from submissions.services.quiz import quiz_answer_create

    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["wrong"]}, lang="en")
    url = reverse("assessments:question", args=[quiz_question.pk])
    own = client_for(student).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    theirs = client_for(fellow).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your latest answer" in own and "Your latest answer" not in theirs
    assert client_for(outsider).post(url, {"choice": "right"}).status_code == 404
    assert quiz_question.quiz_answers.filter(user=outsider).count() == 0


def test_staff_see_every_students_latest_submission_students_get_404(owned, instructor, student, fellow, code_question):
    url = reverse("assessments:question_submissions", args=[code_question.pk])
    page = client_for(instructor).get(url).content.decode()
    assert "owner" in page and "fellow" in page and f"/api/submissions/{owned.pk}/code" in page
    assert client_for(student).get(url).status_code == 404
    assert client_for(fellow).get(url).status_code == 404
