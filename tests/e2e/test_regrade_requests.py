"""A regrade request in a real browser: the instructor opens requests for the assignment, the
student answers a numeric question wrongly, asks for a regrade from the question page, the TA
with the regrade grant answers from the queue with new points, and the student reads the outcome."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

SLUG = "conv-worked-example"  # ch07 numeric question: 19 is right, 20 the flipped-filter mistake
INSTRUCTOR = ("instructor", "instructor-demo")  # created by `manage.py seed_demo`
TA = ("ta", "ta-demo")
REASON = "필터를 뒤집는 합성곱으로 계산했습니다. 풀이 과정은 맞으니 부분 점수를 부탁드립니다."
RESPONSE = "풀이 과정을 확인했습니다. 부분 점수를 드립니다."


def switch_user(page: Any, log_in: Any, username: str, password: str) -> None:
    page.context.clear_cookies()  # a fresh session, as on another computer
    log_in(username, password)


def test_a_student_asks_for_a_regrade_and_reads_the_answer(
    page: Any, demo: dict, log_in: Any, open_question: Any
) -> None:
    from courses.models import Enrollment
    from django.urls import reverse
    from scoring.models import ScoreChange
    from submissions.models import QuizAnswer

    student = demo["student"]
    Enrollment.objects.filter(user__username=TA[0]).update(may_regrade=True)

    # The instructor opens regrade requests for chapter 7 until the end of the year.
    log_in(*INSTRUCTOR)
    question = open_question(SLUG)
    course_id, assignment_id = question.assignment.course_id, question.assignment_id
    page.goto(reverse("courses:detail", args=[course_id]))
    page.get_by_role("link", name="재채점 요청").click()
    window = page.locator("form.regrade-window", has=page.locator(f"[name=a{assignment_id}-closes_at]"))
    window.locator("input[type=datetime-local]").fill("2099-12-31T23:59")
    with page.expect_navigation():
        window.locator("button").click()

    # The student answers wrongly, then asks from the question page.
    switch_user(page, log_in, "student1", "student1-demo")
    open_question(SLUG)
    page.fill("form.quiz-form input[name=value]", "20")
    with page.expect_navigation():
        page.locator("form.quiz-form [type=submit]").click()
    answer = QuizAnswer.objects.get(user=student, question=question)
    assert answer.score == 0
    page.locator(".regrade-link a").click()
    page.select_option("select[name=item]", label="답안 전체")
    page.fill("textarea[name=reason]", REASON)
    with page.expect_navigation():
        page.locator("form.regrade-ask button").click()
    assert page.locator(".regrade-request[data-status=open]").count() == 1

    # The TA answers from the queue with new points.
    switch_user(page, log_in, *TA)
    page.goto(reverse("regrade_requests:queue", args=[course_id]))
    page.locator("table.regrade-queue a").first.click()
    assert REASON in page.locator(".reason").inner_text()
    page.fill("textarea[name=response]", RESPONSE)
    page.fill("input[name=points]", str(question.points / 2))
    with page.expect_navigation():
        page.locator("form.regrade-answer button").click()
    answer.refresh_from_db()
    assert answer.score == pytest.approx(question.points / 2)
    assert ScoreChange.objects.filter(quiz_answer=answer, source=ScoreChange.Source.MANUAL).count() == 1

    # The student reads the outcome.
    switch_user(page, log_in, "student1", "student1-demo")
    page.goto(reverse("regrade_requests:ask", args=[question.pk]))
    outcome = page.locator(".regrade-request[data-status=changed]")
    assert RESPONSE in outcome.inner_text() and "점수 변경" in outcome.inner_text()
    assert page.js_errors == []
