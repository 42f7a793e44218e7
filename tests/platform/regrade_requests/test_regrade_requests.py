"""Regrade requests: a student asks about one item of a graded attempt (once, before the
instructor's deadline); staff answer, optionally changing the score through the student's policy
and the audit log; the student sees the outcome. Every staff view by role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from courses.models import Enrollment
from django.urls import reverse
from django.utils import timezone
from scoring.models import ScoreChange
from submissions.services.grade import submission_grade
from submissions.services.submit import submission_create

from regrade_requests.models import RegradeRequest
from regrade_requests.services import (
    WHOLE,
    RegradeRefused,
    askable,
    regrade_request_answer,
    regrade_request_create,
    window_set,
)
from tests.platform.conftest import WRONG_SCALE, make_user
from tests.platform.grading.helpers import (  # noqa: F401
    answer,
    client_for,
    essay,
    explain,
    other_course,
    other_staff,
    ta,
)

REASON = "제 코드는 keys 검사를 통과해야 한다고 생각합니다."


@pytest.fixture(autouse=True)
def _korean():  # type: ignore[no-untyped-def]
    """The refusals are matched in Korean, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("ko"):
        yield


@pytest.fixture
def graded(student, code_question, inprocess):  # type: ignore[no-untyped-def]
    """A graded wrong submission (partial credit) and an open request window."""
    submission = submission_create(user=student, question=code_question, code=WRONG_SCALE,
                                   idempotency_key="key-regrade-1").submission
    submission_grade(submission_id=submission.pk, worker="w")
    submission.refresh_from_db()
    window_set(assignment=code_question.assignment, closes_at=timezone.now() + timedelta(days=3))
    return submission


@pytest.fixture
def regrade_ta(course):  # type: ignore[no-untyped-def]
    user = make_user("ta-regrade")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA, may_regrade=True)
    return user


def test_the_items_are_the_checks_as_the_student_sees_them(student, code_question, graded):
    items = dict(askable(user=student, question=code_question).items)
    assert WHOLE in items and "scale · small" in items
    assert "scale · gradient" not in items  # a hidden check keeps its stand-in name
    assert "hidden check 1" in items


def test_a_request_is_taken_once_per_item_and_only_in_the_window(student, code_question, graded):
    regrade_request_create(user=student, question=code_question, item="scale · keys", reason=REASON)
    with pytest.raises(RegradeRefused, match="이미 요청했습니다"):
        regrade_request_create(user=student, question=code_question, item="scale · keys", reason=REASON)
    with pytest.raises(RegradeRefused, match="항목 중 하나"):
        regrade_request_create(user=student, question=code_question, item="scale · gradient", reason=REASON)
    with pytest.raises(RegradeRefused, match="자로 쓰세요"):
        regrade_request_create(user=student, question=code_question, item=WHOLE, reason="왜요")
    window_set(assignment=code_question.assignment, closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RegradeRefused, match="요청을 받고 있지 않습니다"):
        regrade_request_create(user=student, question=code_question, item=WHOLE, reason=REASON)


def test_no_request_without_a_graded_attempt_or_while_feedback_is_held_back(student, fellow, code_question, graded):
    with pytest.raises(RegradeRefused, match="채점된 제출이 없습니다"):
        regrade_request_create(user=fellow, question=code_question, item=WHOLE, reason=REASON)
    assignment = code_question.assignment
    assignment.feedback_visibility = "after_due"
    assignment.due_at = timezone.now() + timedelta(days=1)
    assignment.save()
    assert askable(user=student, question=code_question) is None


def test_an_answer_with_points_changes_the_score_through_the_policy_and_the_audit_log(
    student, instructor, code_question, graded,
):
    request = regrade_request_create(user=student, question=code_question, item="scale · keys", reason=REASON)
    answered = regrade_request_answer(request_id=request.pk, actor=instructor,
                                      response="맞습니다. 점수를 고칩니다.", points=3)
    graded.refresh_from_db()
    assert answered.status == RegradeRequest.Status.CHANGED
    assert graded.score == 3 and answered.old_score < 3 and answered.new_score == 3
    change = ScoreChange.objects.filter(submission=graded, source=ScoreChange.Source.MANUAL).get()
    assert change.actor == instructor and f"#{request.pk}" in change.reason
    with pytest.raises(RegradeRefused, match="이미 답변한"):
        regrade_request_answer(request_id=request.pk, actor=instructor, response="again", points=1)


def test_a_late_attempt_keeps_its_late_credit_when_the_points_change(student, instructor, code_question, graded):
    assignment = code_question.assignment
    assignment.due_at = graded.created_at - timedelta(hours=1)
    assignment.late_penalty_per_day = 0.5
    assignment.save()
    request = regrade_request_create(user=student, question=code_question, item=WHOLE, reason=REASON)
    regrade_request_answer(request_id=request.pk, actor=instructor, response="부분 점수를 드립니다.", points=2)
    graded.refresh_from_db()
    assert graded.score == 1.0  # 2 points, one started day late at 50 %


def test_an_answer_without_points_keeps_the_score(student, instructor, code_question, graded):
    request = regrade_request_create(user=student, question=code_question, item=WHOLE, reason=REASON)
    before = graded.score
    answered = regrade_request_answer(request_id=request.pk, actor=instructor, response="채점이 맞습니다.", points=None)
    graded.refresh_from_db()
    assert answered.status == RegradeRequest.Status.KEPT and graded.score == before
    assert not ScoreChange.objects.filter(submission=graded, source=ScoreChange.Source.MANUAL).exists()
    with pytest.raises(RegradeRefused, match="0에서 3 사이"):
        other = regrade_request_create(user=student, question=code_question, item="scale · keys", reason=REASON)
        regrade_request_answer(request_id=other.pk, actor=instructor, response="x", points=99)


def test_a_quiz_answer_can_be_asked_about_by_rubric_item(student, instructor, explain, course):  # noqa: F811
    quiz_answer = answer(student, explain)
    from grading.services import manual_grade_save

    manual_grade_save(answer_id=quiz_answer.pk, grader=instructor, checked=[0])
    window_set(assignment=explain.assignment, closes_at=timezone.now() + timedelta(days=1))
    items = dict(askable(user=student, question=explain).items)
    assert "rubric:1" in items and WHOLE in items
    request = regrade_request_create(user=student, question=explain, item="rubric:1", reason=REASON)
    regrade_request_answer(request_id=request.pk, actor=instructor, response="두 번째 항목도 맞습니다.", points=2)
    quiz_answer.refresh_from_db()
    assert quiz_answer.score == 2 and quiz_answer.fraction == pytest.approx(2 / 3)


# ---- pages ------------------------------------------------------------------------------------


def test_the_student_asks_on_the_page_and_reads_the_answer(student, instructor, code_question, graded):
    client = client_for(student)
    page = client.get(reverse("regrade_requests:ask", args=[code_question.pk]))
    assert page.status_code == 200 and "scale · keys" in page.content.decode()
    question_page = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert reverse("regrade_requests:ask", args=[code_question.pk]) in question_page  # the link, window open
    sent = client.post(reverse("regrade_requests:ask", args=[code_question.pk]),
                       {"item": "scale · keys", "reason": REASON})
    assert sent.status_code == 302
    again = client.post(reverse("regrade_requests:ask", args=[code_question.pk]),
                        {"item": "scale · keys", "reason": REASON})
    assert again.status_code == 400 and "이미 요청했습니다" in again.content.decode()
    request = RegradeRequest.objects.get()
    regrade_request_answer(request_id=request.pk, actor=instructor, response="점수를 고쳤습니다.", points=3)
    shown = client.get(reverse("regrade_requests:ask", args=[code_question.pk])).content.decode()
    assert "점수를 고쳤습니다." in shown and "답변 완료: 점수 변경" in shown


def test_staff_answer_on_the_detail_page(student, regrade_ta, code_question, graded, course):
    request = regrade_request_create(user=student, question=code_question, item=WHOLE, reason=REASON)
    client = client_for(regrade_ta)
    queue = client.get(reverse("regrade_requests:queue", args=[course.pk])).content.decode()
    assert REASON not in queue and reverse("regrade_requests:detail", args=[course.pk, request.pk]) in queue
    detail = client.get(reverse("regrade_requests:detail", args=[course.pk, request.pk])).content.decode()
    assert REASON in detail and "def scale" in detail  # the reason and the submitted code
    answered = client.post(reverse("regrade_requests:detail", args=[course.pk, request.pk]),
                           {"response": "맞습니다.", "points": "2.5"})
    assert answered.status_code == 302
    graded.refresh_from_db()
    assert graded.score == 2.5


def test_staff_set_the_window_per_assignment(instructor, code_question, course):
    client = client_for(instructor)
    assignment = code_question.assignment
    client.post(reverse("regrade_requests:window", args=[course.pk, assignment.pk]),
                {f"a{assignment.pk}-closes_at": "2030-01-02T10:00"})
    assert assignment.regrade_window.closes_at.year == 2030
    client.post(reverse("regrade_requests:window", args=[course.pk, assignment.pk]), {f"a{assignment.pk}-closes_at": ""})
    assignment.refresh_from_db()
    from regrade_requests.models import RegradeWindow

    assert not RegradeWindow.objects.filter(assignment=assignment).exists()


@pytest.mark.parametrize("who, status", [
    ("instructor", 200), ("regrade_ta", 200), ("ta", 403), ("student", 404), ("other_staff", 404),
])
def test_every_staff_view_by_role(request, who, status, student, code_question, graded, course):
    regrade = regrade_request_create(user=student, question=code_question, item=WHOLE, reason=REASON)
    client = client_for(request.getfixturevalue(who))
    assignment = code_question.assignment
    urls = [
        ("get", reverse("regrade_requests:queue", args=[course.pk]), {}),
        ("get", reverse("regrade_requests:detail", args=[course.pk, regrade.pk]), {}),
        ("post", reverse("regrade_requests:detail", args=[course.pk, regrade.pk]), {"response": "ok", "points": ""}),
        ("post", reverse("regrade_requests:window", args=[course.pk, assignment.pk]), {}),
    ]
    for method, url, data in urls:
        response = getattr(client, method)(url, data)
        expected = 302 if status == 200 and method == "post" else status
        assert response.status_code == expected, (who, url)
    regrade.refresh_from_db()
    assert regrade.is_open == (status != 200)


def test_anonymous_users_are_sent_to_log_in(student, code_question, graded, course, client):
    for url in (reverse("regrade_requests:queue", args=[course.pk]),
                reverse("regrade_requests:ask", args=[code_question.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_ids_of_another_course_are_not_found(student, code_question, graded, other_course, other_staff):  # noqa: F811
    regrade = regrade_request_create(user=student, question=code_question, item=WHOLE, reason=REASON)
    client = client_for(other_staff)
    response = client.get(reverse("regrade_requests:detail", args=[other_course.pk, regrade.pk]))
    assert response.status_code == 404


def test_the_student_is_e_mailed_the_answer_once(student, instructor, code_question, graded):
    from announcements.models import OutboundEmail

    student.email = "owner@example.org"
    student.save()
    request = regrade_request_create(user=student, question=code_question, item=WHOLE, reason=REASON)
    regrade_request_answer(request_id=request.pk, actor=instructor, response="점수를 고쳤습니다.", points=3)
    mail = OutboundEmail.objects.get(kind=OutboundEmail.Kind.REGRADE, recipient=student)
    assert mail.context["accepted"] is True and mail.context["response"] == "점수를 고쳤습니다."
