"""Manual grading in a real browser: a student answers a descriptive question, the TA opens the
queue from the course page, ticks rubric items, writes a comment and saves; the gradebook shows
the score and the student reads the comment and the ticked items on the question page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.e2e

SLUG = "dense-layer-problem"  # ch07, short_text graded by staff: 3 points, three 1-point items
SPEC = Path(__file__).resolve().parents[2] / "assignments" / "ch07-cnn" / "questions" / SLUG / "question.yaml"
TA = ("ta", "ta-demo")  # created by `manage.py seed_demo`
ANSWER = "이미지를 1차원으로 평탄화하면 <공간 정보>가 사라집니다."
COMMENT = "합성곱 계층이 형상을 유지한다는 점도 쓰세요."


def rubric_texts() -> list[str]:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} does not exist")
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return [item["text"]["ko"] for item in spec["rubric"]]


def switch_user(page: Any, log_in: Any, username: str, password: str) -> None:
    page.context.clear_cookies()  # a fresh session, as on another computer
    log_in(username, password)


def test_a_ta_grades_a_descriptive_answer_and_the_student_reads_the_comment(
    page: Any, demo: dict, log_in: Any, open_question: Any
) -> None:
    from django.urls import reverse
    from scoring.models import ScoreChange
    from submissions.models import QuizAnswer

    items = rubric_texts()
    student = demo["student"]

    # The student answers.
    log_in()
    question = open_question(SLUG)
    page.fill("form.quiz-form textarea[name=text]", ANSWER)
    with page.expect_navigation():
        page.locator("form.quiz-form [type=submit]").click()
    assert "채점" in page.locator(".quiz-result .score").inner_text()  # waiting for staff grading
    given = QuizAnswer.objects.get(user=student, question=question)
    assert given.needs_manual and given.score is None

    # The TA goes course page -> queue -> question -> the student's answer.
    switch_user(page, log_in, *TA)
    course_id = question.assignment.course_id
    page.goto(reverse("courses:detail", args=[course_id]))
    page.locator("a.grading-queue-link").click()
    row = page.locator(f'tr[data-question="{question.pk}"]')
    assert row.locator(".pending-count").inner_text() == "1"
    row.locator("a").first.click()
    page.locator("table.answers tr", has_text=f"({student.username})").locator("a").click()
    assert ANSWER in page.locator(".answer-text").inner_text()  # shown as text, not markup
    page.locator("label.rubric-item", has_text=items[0]).locator("input").check()
    page.locator("label.rubric-item", has_text=items[1]).locator("input").check()
    assert page.locator(".grade-total").inner_text() == "2"
    page.fill("textarea[name=comment]", COMMENT)
    with page.expect_navigation():
        page.locator("button.save").click()
    assert page.locator(".current-score").inner_text().startswith("2 / 3")
    given.refresh_from_db()
    assert given.score == 2.0
    assert ScoreChange.objects.filter(quiz_answer=given, source=ScoreChange.Source.MANUAL).count() == 1

    # The gradebook shows the score: in the assignment's column, and among its questions.
    page.goto(reverse("gradebook:table", args=[course_id]))
    student_row = page.locator(f'tr[data-student="{student.username}"]')
    assert any(text.startswith("2 ") for text in student_row.locator("td.sum").all_inner_texts())
    page.goto(reverse("gradebook:table", args=[course_id]) + f"?assignment={question.assignment_id}")
    student_row = page.locator(f'tr[data-student="{student.username}"]')
    assert "2" in student_row.locator("td.cell").all_inner_texts()

    # The student sees the score, the ticked items and the comment.
    switch_user(page, log_in, student.username, "student1-demo")
    open_question(SLUG)
    result = page.locator(".quiz-result")
    assert "2 / 3" in result.locator(".score").inner_text()
    assert COMMENT in result.locator(".feedback-text").inner_text()
    ticked = result.locator(".rubric-checked li").all_inner_texts()
    assert len(ticked) == 2 and items[0] in ticked[0] and items[2] not in " ".join(ticked)
    assert page.js_errors == []
