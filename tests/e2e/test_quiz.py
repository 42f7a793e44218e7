"""Quiz questions in a real browser: a plain form post, graded on the server; a wrong answer shows
its feedback, a right answer full marks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.e2e

QUESTIONS = Path(__file__).resolve().parents[2] / "assignments" / "ch07-cnn" / "questions"


def question_spec(slug: str) -> dict[str, Any]:
    path = QUESTIONS / slug / "question.yaml"
    if not path.is_file():
        pytest.skip(f"{path} does not exist")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def submit_quiz(page: Any) -> None:
    with page.expect_navigation():  # a plain form post: this page does reload, by design
        page.locator("form.quiz-form [type=submit]").click()


def latest_answer(user: Any, question: Any) -> Any:
    from submissions.models import QuizAnswer

    return QuizAnswer.objects.filter(user=user, question=question).order_by("-pk").first()


def assert_full_marks(page: Any, user: Any, question: Any) -> None:
    answer = latest_answer(user, question)
    assert answer is not None and answer.correct
    assert answer.max_score > 0
    assert answer.score == pytest.approx(answer.max_score)
    result = page.locator(".quiz-result")
    assert "correct" in result.get_attribute("class").split()
    assert f"{answer.max_score:g} / {answer.max_score:g}" in result.locator(".score").inner_text()


def test_numeric_answer_wrong_then_right(
    page: Any, demo: dict, log_in: Any, open_question: Any
) -> None:
    spec = question_spec("conv-worked-example")  # top-left output of a 2x2 filter on a 3x3 input
    log_in()
    question = open_question("conv-worked-example")
    student = demo["student"]

    # 20 is what a flipped filter gives: the page names that misconception.
    page.fill("form.quiz-form input[name=value]", "20")
    submit_quiz(page)
    result = page.locator(".quiz-result")
    assert "wrong" in result.get_attribute("class").split()
    assert spec["misconceptions"][0]["feedback"]["ko"] in result.inner_text()
    wrong = latest_answer(student, question)
    assert wrong is not None and not wrong.correct and wrong.score == 0

    page.fill("form.quiz-form input[name=value]", "19")
    submit_quiz(page)
    assert_full_marks(page, student, question)
    assert page.js_errors == []


def test_multiple_choice_wrong_then_right(
    page: Any, demo: dict, log_in: Any, open_question: Any
) -> None:
    spec = question_spec("cnn-vs-dense")
    right = next(choice for choice in spec["choices"] if choice.get("correct"))
    wrong = next(choice for choice in spec["choices"] if not choice.get("correct"))
    log_in()
    question = open_question("cnn-vs-dense")
    student = demo["student"]

    def pick(choice: dict[str, Any]) -> None:
        label = page.locator("form.quiz-form label", has_text=choice["text"]["ko"])
        label.locator("input").check()

    pick(wrong)
    submit_quiz(page)
    result = page.locator(".quiz-result")
    assert "wrong" in result.get_attribute("class").split()
    assert wrong["feedback"]["ko"] in result.inner_text()
    assert not latest_answer(student, question).correct

    pick(right)
    submit_quiz(page)
    assert_full_marks(page, student, question)
    assert page.js_errors == []
