"""The staff pages: who may open them (instructor, TA with / without the regrade grant, student,
a staff member of another course), ids scoped to the course, and the forms doing their work."""

from __future__ import annotations

import pytest
from courses.models import Course, Enrollment
from django.urls import reverse
from scoring.models import Extension, RegradeRun, ScoreChange
from submissions.models import QuizAnswer

from tests.platform.scoring.helpers import answer, enroll, right_is_wrong


@pytest.fixture
def personas(course, instructor, student, outsider):  # type: ignore[no-untyped-def]
    other = Course.objects.create(slug="other", title="Other", join_code="OTHER234")
    Enrollment.objects.create(course=other, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    return {
        "instructor": instructor,
        "granted_ta": enroll(course, "ta-granted", Enrollment.Role.TA, may_regrade=True),
        "ta": enroll(course, "ta-plain", Enrollment.Role.TA),
        "student": student,
        "outsider": outsider,
    }


def client_for(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def grant_pages(course, quiz_question):  # type: ignore[no-untyped-def]
    return [
        reverse("scoring:overview", args=[course.pk]),
        reverse("scoring:assignment_settings", args=[course.pk, quiz_question.assignment_id]),
        reverse("scoring:question_regrade", args=[course.pk, quiz_question.pk]),
    ]


@pytest.mark.parametrize(("who", "status"), [
    ("instructor", 200), ("granted_ta", 200), ("ta", 403), ("student", 404), ("outsider", 404),
])
def test_regrade_and_settings_pages_need_the_regrade_grant(client, personas, course, quiz_question, who, status):
    client_for(client, personas[who])
    for url in grant_pages(course, quiz_question):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize(("who", "status"), [
    ("instructor", 200), ("granted_ta", 200), ("ta", 200), ("student", 404), ("outsider", 404),
])
def test_any_course_staff_may_read_the_audit_log(client, personas, course, who, status):
    client_for(client, personas[who])
    assert client.get(reverse("scoring:audit_log", args=[course.pk])).status_code == status


def test_ids_from_another_course_are_404_even_for_its_staff(client, personas, course, quiz_question):
    other = Course.objects.get(slug="other")
    client_for(client, personas["outsider"])
    assert client.get(reverse("scoring:overview", args=[other.pk])).status_code == 200
    assert client.get(reverse("scoring:question_regrade", args=[other.pk, quiz_question.pk])).status_code == 404
    assert client.get(
        reverse("scoring:assignment_settings", args=[other.pk, quiz_question.assignment_id])
    ).status_code == 404
    run = RegradeRun.objects.create(question=quiz_question, version=quiz_question.current_version,
                                    status=RegradeRun.Status.READY)
    assert client.get(reverse("scoring:regrade_run", args=[other.pk, run.pk])).status_code == 404
    assert client.post(reverse("scoring:regrade_apply", args=[other.pk, run.pk]),
                       {"policy": "use_new"}).status_code == 404


def test_a_student_cannot_start_or_apply_a_regrade(client, personas, course, quiz_question):
    client_for(client, personas["student"])
    assert client.post(reverse("scoring:question_regrade", args=[course.pk, quiz_question.pk])).status_code == 404
    assert not RegradeRun.objects.exists()


def test_the_course_page_links_the_staff_tools(client, personas, course):
    audit, overview = (f'href="{reverse(name, args=[course.pk])}"' for name in ("scoring:audit_log", "scoring:overview"))
    html = client_for(client, personas["instructor"]).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert audit in html and overview in html
    html = client_for(client, personas["ta"]).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert audit in html and overview not in html


def settings_post(quiz_assignment, **changes):  # type: ignore[no-untyped-def]
    data = {
        "form": "policy", "opens_at": "", "due_at": "", "closes_at": "", "max_attempts": "2",
        "late_penalty_per_day": "0.25", "late_curve": "", "late_curve_mode": "step",
        "feedback_visibility": "immediately", "hidden_checks": "never", "show_explanations": "on", "note": "",
    }
    data.update(changes)
    return data


def test_saving_settings_recomputes_and_audits(client, personas, course, student, quiz_question):
    assignment = quiz_question.assignment
    row = answer(student, quiz_question, "right")
    client_for(client, personas["granted_ta"])
    url = reverse("scoring:assignment_settings", args=[course.pk, assignment.pk])
    response = client.post(url, settings_post(assignment, due_at="2020-01-01T09:00", late_curve="0: 10%", note="typo"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    row.refresh_from_db()
    assert assignment.late_curve == [[0.0, 0.1]] and assignment.due_at.year == 2020
    assert row.score == pytest.approx(0.2)
    change = ScoreChange.objects.get(source=ScoreChange.Source.DEADLINE)
    assert change.actor == personas["granted_ta"] and "typo" in change.reason
    page = client.get(url).content.decode()
    assert "1 score(s) changed" in page or "1" in page  # the flash message, in either language


def test_a_bad_curve_is_shown_back_and_nothing_is_saved(client, personas, course, quiz_question):
    assignment = quiz_question.assignment
    client_for(client, personas["instructor"])
    url = reverse("scoring:assignment_settings", args=[course.pk, assignment.pk])
    response = client.post(url, settings_post(assignment, late_curve="24: 0.5\n48: 0.9"))
    assert response.status_code == 400 and "late_curve" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.late_curve == []


def test_extensions_are_added_listed_and_removed(client, personas, course, student, quiz_question):
    assignment = quiz_question.assignment
    client_for(client, personas["instructor"])
    url = reverse("scoring:assignment_settings", args=[course.pk, assignment.pk])
    student_enrollment = Enrollment.objects.get(course=course, user=student)
    response = client.post(url, {"form": "extension", "student": student_enrollment.pk,
                                 "due_at": "2030-05-01T12:00", "closes_at": "", "extra_attempts": "1",
                                 "reason": "hospital"})
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.student, extension.extra_attempts, extension.granted_by) == (student, 1, personas["instructor"])
    assert 'data-student="owner"' in client.get(url).content.decode()
    # A TA's enrollment is not offered (students only).
    ta_enrollment = Enrollment.objects.get(user=personas["ta"])
    response = client.post(url, {"form": "extension", "student": ta_enrollment.pk, "due_at": "2030-05-01T12:00",
                                 "extra_attempts": "0"})
    assert response.status_code == 400 and Extension.objects.count() == 1
    delete = reverse("scoring:extension_delete", args=[course.pk, assignment.pk, extension.pk])
    assert client.post(delete).status_code == 302 and not Extension.objects.exists()


def test_the_regrade_flow_through_the_pages(client, personas, course, student, fellow, quiz_question):
    answer(student, quiz_question, "right")
    answer(fellow, quiz_question, "wrong")
    right_is_wrong(quiz_question)
    client_for(client, personas["granted_ta"])
    response = client.post(reverse("scoring:question_regrade", args=[course.pk, quiz_question.pk]))
    run = RegradeRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("scoring:regrade_run", args=[course.pk, run.pk])
    progress = client.get(reverse("scoring:regrade_progress", args=[course.pk, run.pk])).json()
    assert (progress["finished"], progress["done"], progress["total"]) == (True, 2, 2)
    page = client.get(response["Location"]).content.decode()
    assert 'class="diff-row down" data-student="owner"' in page and 'class="diff-row up" data-student="fellow"' in page
    apply_url = reverse("scoring:regrade_apply", args=[course.pk, run.pk])
    assert client.post(apply_url, {"policy": "keep_higher", "reason": "key fixed"}).status_code == 302
    scores = dict(QuizAnswer.objects.values_list("user__username", "score"))
    assert scores == {"owner": pytest.approx(2.0), "fellow": pytest.approx(2.0)}
    assert client.post(apply_url, {"policy": "use_new"}).status_code == 302  # a second click
    assert dict(QuizAnswer.objects.values_list("user__username", "score"))["owner"] == pytest.approx(2.0)
    assert ScoreChange.objects.filter(source=ScoreChange.Source.REGRADE).count() == 1


def test_the_audit_log_lists_and_filters_changes(client, personas, course, student, fellow, quiz_question):
    answer(student, quiz_question, "right")
    answer(fellow, quiz_question, "wrong")
    client_for(client, personas["ta"])
    url = reverse("scoring:audit_log", args=[course.pk])
    page = client.get(url).content.decode()
    assert page.count('class="audit-row') == 2
    page = client.get(url, {"student": student.pk, "question": quiz_question.pk}).content.decode()
    assert page.count('class="audit-row') == 1 and "owner" in page
    assert client.get(url, {"source": "regrade"}).content.decode().count('class="audit-row') == 0


def test_a_ta_without_the_grant_cannot_change_anything(client, personas, course, student, quiz_question):
    assignment = quiz_question.assignment
    extension = Extension.objects.create(assignment=assignment, student=student, due_at=assignment.updated_at)
    run = RegradeRun.objects.create(question=quiz_question, version=quiz_question.current_version,
                                    status=RegradeRun.Status.READY)
    client_for(client, personas["ta"])
    posts = [
        (reverse("scoring:assignment_settings", args=[course.pk, assignment.pk]), settings_post(assignment, max_attempts="9")),
        (reverse("scoring:extension_delete", args=[course.pk, assignment.pk, extension.pk]), {}),
        (reverse("scoring:question_regrade", args=[course.pk, quiz_question.pk]), {}),
        (reverse("scoring:regrade_apply", args=[course.pk, run.pk]), {"policy": "use_new"}),
        (reverse("scoring:regrade_discard", args=[course.pk, run.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assignment.refresh_from_db()
    run.refresh_from_db()
    assert assignment.max_attempts == 2 and Extension.objects.exists() and run.status == RegradeRun.Status.READY
    assert RegradeRun.objects.count() == 1
