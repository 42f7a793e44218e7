"""Code review in a real browser: a student submits chapter 7's `convolution`, the worker grades
it; a TA opens the code review queue from the grading page, comments on a line of the code and
saves a rubric grade (a negative item); the student sees the comment beside that line and the new
score on the code page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

GRADING_TIMEOUT_MS = 90_000  # a cold worker imports NumPy and starts its sandbox first
TA = ("ta", "ta-demo")  # created by `manage.py seed_demo`
COMMENT = "im2col 결과를 <col> 같은 이름으로 두면 더 읽기 쉽습니다."
RUBRIC = [
    {"text": {"ko": "변수 이름이 명확함", "en": "clear variable names"}, "points": 1},
    {"text": {"ko": "im2col 대신 파이썬 반복문", "en": "Python loops instead of im2col"}, "points": -2},
]


def switch_user(page: Any, log_in: Any, username: str, password: str) -> None:
    page.context.clear_cookies()
    log_in(username, password)


def test_a_ta_comments_on_a_line_and_grades_with_the_rubric_and_the_student_sees_both(
    page: Any, demo: dict, log_in: Any, code_page: Any, convolution_solution: str,
    redis_url: str, celery_worker_proc: Any,
) -> None:
    from assessments.models import Question
    from django.urls import reverse
    from grading.models import CodeReview, LineComment
    from scoring.models import ScoreChange
    from submissions.models import Submission

    student = demo["student"]
    # The rubric as a question.yaml `rubric:` would declare it (on the stored version).
    question = Question.objects.get(assignment__slug="ch07-cnn", slug="convolution")
    version = question.current_version
    version.spec = {**version.spec, "rubric": RUBRIC}
    version.save(update_fields=["spec"])

    # The student submits a correct solution and waits for the worker.
    log_in()
    code_page("convolution")
    page.locator("#code-editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(convolution_solution)
    page.click("#submit-code")
    page.wait_for_selector("#submission-status[data-state=graded], #submission-status[data-state=error]",
                           timeout=GRADING_TIMEOUT_MS)
    submission = Submission.objects.get(user=student, question=question)
    assert submission.status == "graded" and submission.score == question.points
    full = question.points

    # The TA: grading page -> code review table -> the question -> the student's submission.
    switch_user(page, log_in, *TA)
    course_id = question.assignment.course_id
    page.goto(reverse("grading:queue", args=[course_id]))
    row = page.locator(f'tr[data-code-question="{question.pk}"]')
    assert row.locator(".pending-count").inner_text() == "1"
    row.locator("a").first.click()
    page.locator("table.code-submissions tr.pending a.review-link").click()
    assert student.username not in page.url
    # Line 8 of the solution: select it by its number, write a comment.
    line = convolution_solution.split("\n")[7]
    assert page.locator("#L8 .line-text").inner_text() == line
    page.locator("#L8 button.line-pick").click()
    assert page.input_value(".line-comment-form .line-start") == "8"
    page.fill(".line-comment-form textarea[name=body]", COMMENT)
    with page.expect_navigation():
        page.locator("button.comment-add").click()
    assert COMMENT in page.locator('tr.line-comment[data-lines="8-8"] .comment-body').inner_text()
    # A rubric grade: the negative item, then save.
    page.locator("label.rubric-item", has_text=RUBRIC[1]["text"]["ko"]).locator("input").check()
    assert page.locator(".grade-total").inner_text() == f"{full - 2:g}"
    page.fill("textarea[name=comment]", "반복문은 없지만 연습으로 감점해 봅니다.")
    with page.expect_navigation():
        page.locator(".code-grade button.save").click()
    assert page.locator(".current-score").inner_text().startswith(f"{full - 2:g} / {full:g}")
    submission.refresh_from_db()
    assert submission.score == full - 2
    assert CodeReview.objects.filter(submission=submission).count() == 1
    assert LineComment.objects.filter(submission=submission, line_start=8).count() == 1
    assert ScoreChange.objects.filter(submission=submission, source=ScoreChange.Source.MANUAL).count() == 1

    # The student sees the new score and the comment beside line 8, as text.
    switch_user(page, log_in, student.username, "student1-demo")
    code_page("convolution")
    review = page.locator("#feedback .code-review-result")
    assert review.count() == 1
    assert page.locator("#feedback .summary strong").inner_text().startswith(f"{full - 2:g} / ")
    commented = review.locator('tr.code-line[data-line="8"]')
    assert line.strip() in commented.locator(".line-text pre").inner_text()
    assert COMMENT in commented.locator(".line-comment .comment-body").inner_text()
    assert RUBRIC[1]["text"]["ko"] in review.locator(".rubric-checked").inner_text()
    assert page.js_errors == []
